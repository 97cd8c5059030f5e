#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a function-pointer cast that Swift cannot import;
// this constant gives Swift the same value (SQLite copies bound text and blobs).
static const sqlite3_destructor_type csqlite_transient = (sqlite3_destructor_type)-1;
