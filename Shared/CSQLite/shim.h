#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a function-pointer cast that Swift cannot import;
// this constant gives Swift the same value (SQLite copies bound text and blobs).
static const sqlite3_destructor_type csqlite_transient = (sqlite3_destructor_type)-1;

// sqlite3_db_config is variadic, which Swift cannot call; this wraps the (int, int*) form.
static inline int sqlite3_db_config_int_pointer(sqlite3 *db, int option, int value) {
    return sqlite3_db_config(db, option, value, (int *)0);
}
