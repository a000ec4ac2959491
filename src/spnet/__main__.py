from spnet.entry import main

main()
