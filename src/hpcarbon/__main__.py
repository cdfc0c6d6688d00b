from hpcarbon.cli import main

raise SystemExit(main())
