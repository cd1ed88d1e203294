from freechat.cli import entry

entry()
