// libpq, PostgreSQL's client library (Debian's libpq-dev installs it under postgresql/).
//
// The functions do not link it: libpq brings some twenty more libraries (Kerberos, LDAP, TLS),
// which would add milliseconds and megabytes to every cold start, SQLite's users' included.
// Instead `leadwire_libpq_load` opens libpq.so.5 when a PostgreSQL store is first opened and
// fills a table of its functions, each typed from libpq's own declarations.
#include <dlfcn.h>
#include <postgresql/libpq-fe.h>

#define LEADWIRE_LIBPQ_FUNCTION(name) __typeof__(name) *name;

typedef struct {
    LEADWIRE_LIBPQ_FUNCTION(PQcancel)
    LEADWIRE_LIBPQ_FUNCTION(PQclear)
    LEADWIRE_LIBPQ_FUNCTION(PQcmdStatus)
    LEADWIRE_LIBPQ_FUNCTION(PQcmdTuples)
    LEADWIRE_LIBPQ_FUNCTION(PQconnectdb)
    LEADWIRE_LIBPQ_FUNCTION(PQenterPipelineMode)
    LEADWIRE_LIBPQ_FUNCTION(PQerrorMessage)
    LEADWIRE_LIBPQ_FUNCTION(PQexec)
    LEADWIRE_LIBPQ_FUNCTION(PQexecParams)
    LEADWIRE_LIBPQ_FUNCTION(PQexecPrepared)
    LEADWIRE_LIBPQ_FUNCTION(PQexitPipelineMode)
    LEADWIRE_LIBPQ_FUNCTION(PQfinish)
    LEADWIRE_LIBPQ_FUNCTION(PQfreeCancel)
    LEADWIRE_LIBPQ_FUNCTION(PQftype)
    LEADWIRE_LIBPQ_FUNCTION(PQgetCancel)
    LEADWIRE_LIBPQ_FUNCTION(PQgetResult)
    LEADWIRE_LIBPQ_FUNCTION(PQgetisnull)
    LEADWIRE_LIBPQ_FUNCTION(PQgetlength)
    LEADWIRE_LIBPQ_FUNCTION(PQgetvalue)
    LEADWIRE_LIBPQ_FUNCTION(PQnfields)
    LEADWIRE_LIBPQ_FUNCTION(PQntuples)
    LEADWIRE_LIBPQ_FUNCTION(PQpipelineSync)
    LEADWIRE_LIBPQ_FUNCTION(PQprepare)
    LEADWIRE_LIBPQ_FUNCTION(PQreset)
    LEADWIRE_LIBPQ_FUNCTION(PQresultErrorField)
    LEADWIRE_LIBPQ_FUNCTION(PQresultErrorMessage)
    LEADWIRE_LIBPQ_FUNCTION(PQresultStatus)
    LEADWIRE_LIBPQ_FUNCTION(PQsendPrepare)
    LEADWIRE_LIBPQ_FUNCTION(PQsendQueryParams)
    LEADWIRE_LIBPQ_FUNCTION(PQsendQueryPrepared)
    LEADWIRE_LIBPQ_FUNCTION(PQsetSingleRowMode)
    LEADWIRE_LIBPQ_FUNCTION(PQstatus)
    LEADWIRE_LIBPQ_FUNCTION(PQtransactionStatus)
} leadwire_libpq;

// Fills `table`; returns NULL, or what failed (libpq is not installed, or lacks a function).
static inline const char *leadwire_libpq_load(leadwire_libpq *table) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return dlerror();
#define LEADWIRE_LIBPQ_LOAD(name) \
    if ((table->name = (__typeof__(name) *)dlsym(library, #name)) == NULL) return dlerror();
    LEADWIRE_LIBPQ_LOAD(PQcancel)
    LEADWIRE_LIBPQ_LOAD(PQclear)
    LEADWIRE_LIBPQ_LOAD(PQcmdStatus)
    LEADWIRE_LIBPQ_LOAD(PQcmdTuples)
    LEADWIRE_LIBPQ_LOAD(PQconnectdb)
    LEADWIRE_LIBPQ_LOAD(PQenterPipelineMode)
    LEADWIRE_LIBPQ_LOAD(PQerrorMessage)
    LEADWIRE_LIBPQ_LOAD(PQexec)
    LEADWIRE_LIBPQ_LOAD(PQexecParams)
    LEADWIRE_LIBPQ_LOAD(PQexecPrepared)
    LEADWIRE_LIBPQ_LOAD(PQexitPipelineMode)
    LEADWIRE_LIBPQ_LOAD(PQfinish)
    LEADWIRE_LIBPQ_LOAD(PQfreeCancel)
    LEADWIRE_LIBPQ_LOAD(PQftype)
    LEADWIRE_LIBPQ_LOAD(PQgetCancel)
    LEADWIRE_LIBPQ_LOAD(PQgetResult)
    LEADWIRE_LIBPQ_LOAD(PQgetisnull)
    LEADWIRE_LIBPQ_LOAD(PQgetlength)
    LEADWIRE_LIBPQ_LOAD(PQgetvalue)
    LEADWIRE_LIBPQ_LOAD(PQnfields)
    LEADWIRE_LIBPQ_LOAD(PQntuples)
    LEADWIRE_LIBPQ_LOAD(PQpipelineSync)
    LEADWIRE_LIBPQ_LOAD(PQprepare)
    LEADWIRE_LIBPQ_LOAD(PQreset)
    LEADWIRE_LIBPQ_LOAD(PQresultErrorField)
    LEADWIRE_LIBPQ_LOAD(PQresultErrorMessage)
    LEADWIRE_LIBPQ_LOAD(PQresultStatus)
    LEADWIRE_LIBPQ_LOAD(PQsendPrepare)
    LEADWIRE_LIBPQ_LOAD(PQsendQueryParams)
    LEADWIRE_LIBPQ_LOAD(PQsendQueryPrepared)
    LEADWIRE_LIBPQ_LOAD(PQsetSingleRowMode)
    LEADWIRE_LIBPQ_LOAD(PQstatus)
    LEADWIRE_LIBPQ_LOAD(PQtransactionStatus)
#undef LEADWIRE_LIBPQ_LOAD
    return NULL;
}
