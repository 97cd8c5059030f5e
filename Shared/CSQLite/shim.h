#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a function-pointer cast that Swift cannot import;
// this constant gives Swift the same value (SQLite copies bound text and blobs).
static const sqlite3_destructor_type csqlite_transient = (sqlite3_destructor_type)-1;

// sqlite3_db_config is variadic, which Swift cannot call; this wraps the (int, int*) form.
static inline int sqlite3_db_config_int_pointer(sqlite3 *db, int option, int value) {
    return sqlite3_db_config(db, option, value, (int *)0);
}

// sqlite3_config is variadic as well; this sets how many bytes of a statement journal (the
// undo record of a savepoint) stay in memory before SQLite moves it to a temporary file.
static inline int csqlite_config_statement_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}

// Syncs the write-ahead log to disk through SQLite's own file object (an fdatasync on Linux).
// SQLITE_NOTFOUND when the connection has no log open: nothing known to be on disk.
static inline int csqlite_sync_write_ahead_log(sqlite3 *db) {
    sqlite3_file *log = 0;
    int result = sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log);
    if (result != SQLITE_OK) return result;
    if (log == 0 || log->pMethods == 0) return SQLITE_NOTFOUND;
    return log->pMethods->xSync(log, SQLITE_SYNC_NORMAL);
}
