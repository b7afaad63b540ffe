"""An officer actor for the indicator tests."""

from ipcity.auth.roles import Actor

OFFICER = Actor(username="city-officer", role="city_officer", user_id=1)
