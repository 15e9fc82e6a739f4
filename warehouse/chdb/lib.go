package chdb

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

typedef struct { void *internal_data; } chdb_result;
typedef void *chdb_conn_h;

typedef chdb_conn_h *(*fn_connect)(int, char **);
typedef void (*fn_close)(chdb_conn_h *);
typedef chdb_result *(*fn_query_n)(chdb_conn_h, const char *, size_t, const char *, size_t);
typedef chdb_result *(*fn_query_params)(chdb_conn_h, const char *, const char *, const char *const *, const char *const *, size_t);
typedef chdb_result *(*fn_stream_params)(chdb_conn_h, const char *, const char *, const char *const *, const char *const *, size_t);
typedef chdb_result *(*fn_stream_fetch)(chdb_conn_h, chdb_result *);
typedef void (*fn_stream_cancel)(chdb_conn_h, chdb_result *);
typedef void (*fn_destroy)(chdb_result *);
typedef char *(*fn_buffer)(chdb_result *);
typedef size_t (*fn_length)(chdb_result *);
typedef double (*fn_elapsed)(chdb_result *);
typedef uint64_t (*fn_u64)(chdb_result *);
typedef const char *(*fn_error)(chdb_result *);
typedef int (*fn_array_scan)(chdb_conn_h, const char *, void *, void *);
typedef int (*fn_stream_scan)(chdb_conn_h, const char *, void *);
typedef int (*fn_unregister)(chdb_conn_h, const char *);
typedef void (*fn_signals)(int);

static struct {
	void *h;
	fn_connect connect;
	fn_close close;
	fn_query_n query_n;
	fn_query_params query_params;
	fn_stream_params stream_params;
	fn_stream_fetch stream_fetch;
	fn_stream_cancel stream_cancel;
	fn_destroy destroy;
	fn_buffer buffer;
	fn_length length;
	fn_elapsed elapsed;
	fn_u64 rows_read, bytes_read;
	fn_error error;
	fn_array_scan array_scan;
	fn_stream_scan stream_scan;
	fn_unregister unregister;
	fn_signals signals;
} lib;

// load resolves every symbol; it returns the name of the first missing one,
// or NULL on success. dlerror() explains a failed dlopen.
static const char *load(const char *path) {
	lib.h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib.h) return "dlopen";
#define SYM(field, name) if (!(lib.field = dlsym(lib.h, name))) return name;
	SYM(connect, "chdb_connect")
	SYM(close, "chdb_close_conn")
	SYM(query_n, "chdb_query_n")
	SYM(query_params, "chdb_query_with_params")
	SYM(stream_params, "chdb_stream_query_with_params")
	SYM(stream_fetch, "chdb_stream_fetch_result")
	SYM(stream_cancel, "chdb_stream_cancel_query")
	SYM(destroy, "chdb_destroy_query_result")
	SYM(buffer, "chdb_result_buffer")
	SYM(length, "chdb_result_length")
	SYM(elapsed, "chdb_result_elapsed")
	SYM(rows_read, "chdb_result_storage_rows_read")
	SYM(bytes_read, "chdb_result_storage_bytes_read")
	SYM(error, "chdb_result_error")
	SYM(array_scan, "chdb_arrow_array_scan")
	SYM(stream_scan, "chdb_arrow_scan")
	SYM(unregister, "chdb_arrow_unregister_table")
	SYM(signals, "chdb_set_signal_handlers_enabled")
#undef SYM
	return NULL;
}
static const char *dl_error(void) { const char *e = dlerror(); return e ? e : "unknown"; }

// The engine resets the fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
// SIGTRAP, SIGABRT, SIGSYS) to their default action when it starts,
// although asked to leave signals alone. With the default in place a nil
// dereference in Go code kills the process instead of becoming a panic
// that recover() sees, so c_connect puts back the handler the process had
// (the Go runtime's) wherever the engine left a signal at its default.
// Handlers the engine installs for itself (SIGRTMIN, which its
// system.stack_trace uses; SIGUSR1 and SIGUSR2, its profiler's) and
// SIGPIPE, which it ignores, stay as the engine set them.
static chdb_conn_h *c_connect(int argc, char **argv) {
	struct sigaction before[65];
	for (int s = 1; s < 65; s++) sigaction(s, NULL, &before[s]);
	lib.signals(0);
	chdb_conn_h *c = lib.connect(argc, argv);
	for (int s = 1; s < 65; s++) {
		struct sigaction now;
		if (sigaction(s, NULL, &now) != 0) continue;
		if (now.sa_handler == SIG_DFL && before[s].sa_handler != SIG_DFL && before[s].sa_handler != SIG_IGN) {
			sigaction(s, &before[s], NULL);
		}
	}
	return c;
}

static void c_close(chdb_conn_h *c) { lib.close(c); }
static chdb_result *c_query_n(chdb_conn_h c, const char *q, size_t ql, const char *f, size_t fl) { return lib.query_n(c, q, ql, f, fl); }
static chdb_result *c_query_params(chdb_conn_h c, const char *q, const char *f, char **n, char **v, size_t k) {
	return lib.query_params(c, q, f, (const char *const *)n, (const char *const *)v, k);
}
static chdb_result *c_stream_params(chdb_conn_h c, const char *q, const char *f, char **n, char **v, size_t k) {
	return lib.stream_params(c, q, f, (const char *const *)n, (const char *const *)v, k);
}
static chdb_result *c_stream_fetch(chdb_conn_h c, chdb_result *r) { return lib.stream_fetch(c, r); }
static void c_stream_cancel(chdb_conn_h c, chdb_result *r) { lib.stream_cancel(c, r); }
static void c_destroy(chdb_result *r) { lib.destroy(r); }
static char *c_buffer(chdb_result *r) { return lib.buffer(r); }
static size_t c_length(chdb_result *r) { return lib.length(r); }
static double c_elapsed(chdb_result *r) { return lib.elapsed(r); }
static uint64_t c_rows_read(chdb_result *r) { return lib.rows_read(r); }
static uint64_t c_bytes_read(chdb_result *r) { return lib.bytes_read(r); }
static const char *c_error(chdb_result *r) { return lib.error(r); }
static int c_array_scan(chdb_conn_h c, const char *n, void *s, void *a) { return lib.array_scan(c, n, s, a); }
static int c_stream_scan(chdb_conn_h c, const char *n, void *s) { return lib.stream_scan(c, n, s); }
// opsbot_stream is the layout of the Arrow C stream interface's
// struct ArrowArrayStream (its release is all that is called here).
struct opsbot_stream {
	void *get_schema, *get_next, *get_last_error;
	void (*release)(struct opsbot_stream *);
	void *private_data;
};
static void c_release_stream(void *p) {
	struct opsbot_stream *s = p;
	if (s->release) s->release(s);
}
static int c_unregister(chdb_conn_h c, const char *n) { return lib.unregister(c, n); }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"github.com/opsbot/opsbot/warehouse"
)

// Version is the chDB library release opsbot is built and tested against
// (ClickHouse 26.5). `make chdb` fetches exactly this one.
const Version = "26.5.3"

var (
	loadOnce sync.Once
	loadErr  error
	loadPath string
)

// LibraryPath says where the engine library is looked for: OPSBOT_CHDB_LIB,
// then the cache folder that `make chdb` fills.
func LibraryPath() string {
	if p := os.Getenv("OPSBOT_CHDB_LIB"); p != "" {
		return p
	}
	return filepath.Join(CacheDir(), "libchdb.so")
}

// CacheDir is where `make chdb` unpacks the library: outside the repo, per
// user, per version.
func CacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "opsbot", "chdb-"+Version)
}

// load opens the library once per process. A missing library is an error
// that says how to get it.
func load() error {
	loadOnce.Do(func() {
		loadPath = LibraryPath()
		if _, err := os.Stat(loadPath); err != nil {
			loadErr = fmt.Errorf("%w at %s: run `make chdb` (or set OPSBOT_CHDB_LIB to libchdb.so from the npm package @chdb/lib-linux-x64-gnu@%s), or use --clickhouse DSN", warehouse.ErrNoEngine, loadPath, Version)
			return
		}
		p := C.CString(loadPath)
		defer C.free(unsafe.Pointer(p))
		if missing := C.load(p); missing != nil {
			name := C.GoString(missing)
			if name == "dlopen" {
				loadErr = fmt.Errorf("%w: cannot load %s: %s", warehouse.ErrNoEngine, loadPath, C.GoString(C.dl_error()))
				return
			}
			loadErr = fmt.Errorf("%w: %s lacks symbol %s: need chDB %s or newer", warehouse.ErrNoEngine, loadPath, name, Version)
		}
	})
	return loadErr
}

// result wraps one chdb_result and frees it.
type result struct{ p *C.chdb_result }

func (r result) err() error {
	if r.p == nil {
		return errors.New("chdb: no result")
	}
	if e := C.c_error(r.p); e != nil {
		if s := C.GoString(e); s != "" {
			return warehouse.ErrorFromText(s)
		}
	}
	return nil
}

func (r result) bytes() []byte {
	n := C.c_length(r.p)
	if n == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(C.c_buffer(r.p)), C.int(n))
}

func (r result) stats() (rows, bytes uint64, elapsed time.Duration) {
	return uint64(C.c_rows_read(r.p)), uint64(C.c_bytes_read(r.p)),
		time.Duration(float64(C.c_elapsed(r.p)) * float64(time.Second))
}

func (r result) free() {
	if r.p != nil {
		C.c_destroy(r.p)
	}
}

// cstrings is a C array of C strings, freed together.
type cstrings struct {
	arr  **C.char
	strs []*C.char
}

func newCStrings(ss []string) *cstrings {
	cs := &cstrings{}
	if len(ss) == 0 {
		return cs
	}
	cs.arr = (**C.char)(C.malloc(C.size_t(len(ss)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	view := unsafe.Slice(cs.arr, len(ss))
	for i, s := range ss {
		cs.strs = append(cs.strs, C.CString(s))
		view[i] = cs.strs[i]
	}
	return cs
}

// connHandle is a chdb_connection* from chdb_connect.
type connHandle = unsafe.Pointer

func cConnect(args []string) connHandle {
	cs := newCStrings(args)
	defer cs.free()
	return connHandle(C.c_connect(C.int(len(args)), cs.arr))
}

func cClose(c connHandle) { C.c_close((*C.chdb_conn_h)(c)) }

func conn(c connHandle) C.chdb_conn_h { return *(*C.chdb_conn_h)(c) }

// cQuery runs sql with bound parameters, rendering the answer in format.
func cQuery(c connHandle, sql, format string, names, values []string) result {
	return withCArgs(sql, format, names, values, func(q, f *C.char, n, v **C.char, k C.size_t) *C.chdb_result {
		return C.c_query_params(conn(c), q, f, n, v, k)
	})
}

// cStream starts a streaming query; fetch chunks with cFetch.
func cStream(c connHandle, sql, format string, names, values []string) result {
	return withCArgs(sql, format, names, values, func(q, f *C.char, n, v **C.char, k C.size_t) *C.chdb_result {
		return C.c_stream_params(conn(c), q, f, n, v, k)
	})
}

// withCArgs hands run the statement, format and parameters as C strings,
// freed when it returns.
func withCArgs(sql, format string, names, values []string, run func(q, f *C.char, n, v **C.char, k C.size_t) *C.chdb_result) result {
	cn, cv := newCStrings(names), newCStrings(values)
	defer cn.free()
	defer cv.free()
	q, f := C.CString(sql), C.CString(format)
	defer C.free(unsafe.Pointer(q))
	defer C.free(unsafe.Pointer(f))
	return result{run(q, f, cn.arr, cv.arr, C.size_t(len(names)))}
}

func cFetch(c connHandle, r result) result { return result{C.c_stream_fetch(conn(c), r.p)} }

func cCancel(c connHandle, r result) { C.c_stream_cancel(conn(c), r.p) }

// cArrayScan registers an exported Arrow batch as arrowstream('name').
func cArrayScan(c connHandle, name string, schema, array unsafe.Pointer) bool {
	n := C.CString(name)
	defer C.free(unsafe.Pointer(n))
	return C.c_array_scan(conn(c), n, schema, array) == 0
}

func cStreamScan(c connHandle, name string, stream unsafe.Pointer) bool {
	n := C.CString(name)
	defer C.free(unsafe.Pointer(n))
	return C.c_stream_scan(conn(c), n, stream) == 0
}

// cReleaseStream releases an Arrow stream unless its consumer did.
func cReleaseStream(stream unsafe.Pointer) { C.c_release_stream(stream) }

func cUnregister(c connHandle, name string) {
	n := C.CString(name)
	defer C.free(unsafe.Pointer(n))
	C.c_unregister(conn(c), n)
}

func cMalloc(n uintptr) unsafe.Pointer { return C.calloc(1, C.size_t(n)) }

func cFree(p unsafe.Pointer) { C.free(p) }

func (cs *cstrings) free() {
	for _, s := range cs.strs {
		C.free(unsafe.Pointer(s))
	}
	if cs.arr != nil {
		C.free(unsafe.Pointer(cs.arr))
	}
}
