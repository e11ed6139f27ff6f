from psea.cli import main

main()
