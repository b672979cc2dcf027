"""Browser tests of the chat widget, in real headless Chromium."""
