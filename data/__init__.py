"""The outside world, by job: files/, sessions/, servers/, runs/. Never imports a UI library."""
