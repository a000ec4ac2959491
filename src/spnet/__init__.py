"""spnet: a command-line archive of the 'Strategic Partnerships' network project (2021 to March 2024)."""
