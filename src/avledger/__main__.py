from avledger.cli import main

main()
