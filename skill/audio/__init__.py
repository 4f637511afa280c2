"""Hands-free long sessions: scripts rendered to audio, stored, served and played by the AudioPlayer."""
