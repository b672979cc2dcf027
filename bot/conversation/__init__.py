"""Dialogue: the engine, turns, actions, the consultation form and its validators."""
