"""The indexer: turns files and JSONL dumps into index entries (readers, then the pipeline)."""
