"""Test settings: the same as production but for a fast password hasher and a fixed key."""

from config.settings import *  # noqa: F403

SECRET_KEY = "test-only-key-" + "t" * 50
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run tasks in-process unless they ask for the broker (the `broker_mode` fixture), so a
# test that queues work never waits on a worker that is not there.
CELERY_TASK_ALWAYS_EAGER = True
# Registering an asset queues no run unless a test asks for it (curation.lifecycle).
PROFILE_ON_REGISTER = False
