from veza.cli import main

main()
