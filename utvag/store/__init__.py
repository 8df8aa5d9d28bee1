"""The database and Redis: engine, sessions and the declarative base, the
models, the migrations, creating and upgrading the schema, and the Redis
connection. Everything above this folder reaches the data through it."""
