"""Storage adapters: SQLite (the embedded default), DynamoDB (deployed), in-memory (tests)."""
