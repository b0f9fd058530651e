"""altui's Textual app: screens, widgets, styles and workers. Build it with :func:`tui.factory.make_app`."""
