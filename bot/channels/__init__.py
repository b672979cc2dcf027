"""Channel conventions, pure: SMS and WhatsApp text, Messenger's Send API shapes."""
