-- Message bodies are TOASTed (a message is larger than 2 KB); lz4 compresses them several times faster than the
-- default pglz, which was the PostgreSQL server's largest CPU cost per accepted message (relay benchmark profile).
ALTER TABLE messages ALTER COLUMN data SET COMPRESSION lz4;
