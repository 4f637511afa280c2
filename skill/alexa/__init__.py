"""Alexa platform services: slots, the reminders API, the settings API (time zone), the API client."""
