"""``gdcli explore``: an interactive terminal explorer (SPEC §7). state.py holds what is
shown, in plain Python (tested without a terminal); app.py draws it with Textual, the
``[explore]`` extra; command.py checks the options and the terminal and starts the app.
Nothing else in gdcli imports this package."""
