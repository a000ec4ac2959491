"""spnet: a command-line archive of the 'Strategic Partnerships' network project (2021-2024)."""
