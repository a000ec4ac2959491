from spnet.cli import main

main()
