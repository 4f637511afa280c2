"""Content as data: phrases and scripts loaded from responses/."""
