"""Renderers: records in, text out (table, csv/tsv, json, ndjson). They never compute."""
