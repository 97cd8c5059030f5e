/* The baseline for the host benchmark: the least a CGI program can do to keep a webhook.
 * It reads CONTENT_LENGTH bytes from stdin and inserts them raw into SQLite, with the pragmas
 * Leadwire's store uses (WAL, the WAL kept between processes, a busy timeout), then answers
 * 200 with a small JSON body. No parsing, no processing. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    const char *length_text = getenv("CONTENT_LENGTH");
    const char *path = getenv("LEADWIRE_DATABASE");
    long length = length_text ? strtol(length_text, NULL, 10) : 0;
    if (!path || length < 0 || length > (1 << 20)) return 1;
    char *body = malloc(length + 1);
    long got = 0;
    while (got < length) {
        ssize_t n = read(0, body + got, length - got);
        if (n <= 0) break;
        got += n;
    }
    sqlite3 *db;
    sqlite3_stmt *insert;
    if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
    sqlite3_busy_timeout(db, 5000);
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    int persist = 1;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    if (sqlite3_prepare_v2(db, "INSERT INTO raw_events (body) VALUES (?)", -1, &insert, NULL) != SQLITE_OK) return 1;
    sqlite3_bind_blob(insert, 1, body, (int)got, SQLITE_STATIC);
    int ok = sqlite3_step(insert) == SQLITE_DONE;
    sqlite3_finalize(insert);
    sqlite3_close(db);
    if (ok) {
        fputs("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n{\"status\":\"success\"}", stdout);
    } else {
        fputs("Status: 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"store_unavailable\"}}", stdout);
    }
    return 0;
}
