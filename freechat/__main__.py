from freechat.cli import main

raise SystemExit(main())
