"""The agents' meeting API: list, answer, place and control calls; mint Azure OpenAI Realtime keys."""
