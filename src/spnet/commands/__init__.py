"""The commands that read the archive, one module per kind of job. Importing this package
registers them on the app, in the order `spnet --help` lists them."""

# isort: off
from spnet.commands import root, upkeep, listings, lookups, exports  # noqa: F401 - registering them
# isort: on
