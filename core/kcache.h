/*
 * The local kernel cache (upstream layout): {root}/{key}/ holding the image,
 * an optional vmlinux and metadata.json; {root}/.locks/{key}.lock; stores in
 * progress under {root}/.tmp-{key}-{pid}/. Plugins reach it through the
 * host table (kernel_cache_root, kernel_cache_lookup, kernel_install); the
 * `ktstr kernel` commands through the listing and cleaning calls below.
 */
#ifndef KTSTR_CORE_KCACHE_H
#define KTSTR_CORE_KCACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ktstr/kernel_source.h>

#include "registry.h"

/* --- root, keys, versions (kcache_key.c; the grammar is kernel_id.h's) -- */

/**
 * @brief The cache root: KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels,
 *        else $HOME/.cache/ktstr/kernels (HOME absolute and not "/").
 * @return 0 or -errno with @p err set
 */
int ktstr_kcache__root(char *out, size_t len, char *err, size_t errlen);
/** @brief The same rule over explicit values (NULL: unset). */
int ktstr_kcache__root_from(const char *cache_dir, const char *xdg_cache_home, const char *home,
			    char *out, size_t len, char *err, size_t errlen);

/**
 * @brief A key names an entry directory: not empty or blank, no '/', '\',
 *        ".." or control characters, not "." and not starting with ".tmp-".
 */
bool ktstr_kcache__key_valid(const char *key);

/** @brief True when @p id follows the version grammar exactly. */
bool ktstr_kcache__version_valid(const char *id);
/**
 * @brief True when @p have (an entry's version) is @p want or starts with it
 *        followed by '.', '+' or '-' ("7.2" matches "7.2.13+deb14-cloud-amd64").
 */
bool ktstr_kcache__version_matches(const char *want, const char *have);

/* --- metadata.json (kcache_meta*.c, kcache_kconfig.c) ------------------ */

/** @brief Why an entry is corrupt; names as in `kernel list --json` error_kind. */
enum ktstr_kcache_err {
	KTSTR_KCACHE_OK = 0,
	KTSTR_KCACHE_MISSING,
	KTSTR_KCACHE_UNREADABLE,
	KTSTR_KCACHE_SCHEMA_DRIFT,
	KTSTR_KCACHE_MALFORMED,
	KTSTR_KCACHE_TRUNCATED,
	KTSTR_KCACHE_PARSE_ERROR,
	KTSTR_KCACHE_IMAGE_MISSING,
	KTSTR_KCACHE_UNKNOWN,
};
/** @brief "missing", "unreadable", ..., "unknown". */
const char *ktstr_kcache_err__name(enum ktstr_kcache_err kind);

/* room for a local build's source_tree_path (PATH_MAX) and the rest */
#define KTSTR_KCACHE_SOURCE_MAX (PATH_MAX + 1024)

/** @brief metadata.json's fields; strings are "" when null, int64s -1. */
struct ktstr_kcache_meta {
	char version[128];
	char source_type[64];
	char source_json[KTSTR_KCACHE_SOURCE_MAX]; /**< the "source" object, compact JSON */
	char arch[32];
	char image_name[256];
	char config_hash[64];
	char built_at[64];
	char kconfig_hash[64]; /**< ktstr_kconfig_hash */
	bool has_vmlinux;
	bool vmlinux_stripped;
	int64_t source_vmlinux_size;
	int64_t source_vmlinux_mtime_secs;
};

/**
 * @brief Parse metadata.json text. Required: source (an object with a string
 *        "type"), arch, image_name (a plain file name), built_at, has_vmlinux,
 *        vmlinux_stripped. Unknown fields are ignored.
 * @return 0, or -EINVAL with the reason in @p why ("metadata.json <kind>: ...")
 *         and its kind in @p kind
 */
int ktstr_kcache_meta__parse(const char *text, size_t len, struct ktstr_kcache_meta *out,
			     enum ktstr_kcache_err *kind, char *why, size_t whylen);
/** @brief Read and parse @p path; a missing file is "metadata.json missing". */
int ktstr_kcache_meta__load(const char *path, struct ktstr_kcache_meta *out,
			    enum ktstr_kcache_err *kind, char *why, size_t whylen);
/**
 * @brief Write {dir}/metadata.json (pretty-printed, upstream field order)
 *        from what a fill reported. config_hash NULL: crc32 of {dir}/config
 *        when present; built_at: now (UTC).
 * @param has_vmlinux,stripped what the entry holds
 * @return 0 or -errno (err set)
 */
int ktstr_kcache_meta__write(const char *dir, const struct ktstr_entry_meta *m,
			     const char *default_source_type, bool has_vmlinux, bool stripped,
			     char *err, size_t errlen);
/** @brief crc32 (zlib) of file @p path as "%08x". 0, or -errno. */
int ktstr_kcache__crc32_file(const char *path, char out[9]);

/** @brief crc32 of the shipped configs/ktstr.kconfig as %08x; false when it is absent. */
bool ktstr_kcache__current_kc(char out[9]);
/**
 * @brief "untracked" (no ktstr_kconfig_hash), "stale" (not @p kc; only when
 *        @p kc is known) or "matches".
 */
const char *ktstr_kcache__kconfig_status(const struct ktstr_kcache_meta *m, const char *kc);

/* --- entries, listing, lookup (kcache_entry.c, kcache_list.c) ---------- */

/** @brief One entry directory, valid or corrupt. Paths "" when absent. */
struct ktstr_kcache_entry {
	char key[NAME_MAX + 1];
	char path[PATH_MAX];
	char image[PATH_MAX];
	char vmlinux[PATH_MAX];
	char config[PATH_MAX];
	struct ktstr_kcache_meta meta;
	enum ktstr_kcache_err err; /**< KTSTR_KCACHE_OK: valid */
	char why[512];		   /**< the corrupt reason */
	uint64_t size_bytes;	   /**< sum of the entry's files */
};

/**
 * @brief Load {root}/{key}.
 * @return 0 valid; -ENOTDIR no such directory; -EINVAL corrupt (@p out->err
 *         and why set); -ENAMETOOLONG
 */
int ktstr_kcache_entry__load(const char *root, const char *key, struct ktstr_kcache_entry *out);

/** @brief A `.tmp-{key}-{pid}` directory: a store in progress or a leftover. */
struct ktstr_kcache_tmp {
	char name[NAME_MAX + 1];
	pid_t pid;  /**< 0 when the name carries none */
	bool alive; /**< kill(pid, 0) did not say ESRCH */
};

struct ktstr_kcache_list {
	struct ktstr_kcache_entry *v; /**< valid newest first (built_at), then corrupt by key */
	size_t n;
	struct ktstr_kcache_tmp *tmp;
	size_t ntmp;
};

/**
 * @brief Every entry of the cache at @p root; a missing root is an empty list.
 * @return 0 or -errno (err set)
 */
int ktstr_kcache__list(const char *root, struct ktstr_kcache_list *out, char *err, size_t errlen);
/** @brief True when @p e was built with another configs/ktstr.kconfig than this ktstr's. */
bool ktstr_kcache__entry_stale(const struct ktstr_kcache_entry *e);
void ktstr_kcache_list__free(struct ktstr_kcache_list *l);

/**
 * @brief Resolve @p id: "" or "latest" the newest valid entry by built_at
 *        whose kconfig is not stale (untracked is fine: reference 1.2);
 *        a valid key naming a valid entry; a version ("7.2", "7.2.13",
 *        "7.2-rc3") the highest matching release by (maj, min, patch, rc).
 * @return 0; -ENOENT (@p err "" when @p id cannot name an entry); -errno
 */
int ktstr_kcache__find(const char *root, const char *id, struct ktstr_kcache_entry *out, char *err,
		       size_t errlen);
/** @brief Set IMAGE, VMLINUX, VERSION, CACHE_KEY, CONFIG, ORIGIN on @p k. */
int ktstr_kcache__describe(const struct ktstr_kcache_entry *e, const char *origin,
			   struct ktstr_kernel *k);

/**
 * @brief ktstr_kcache__find() then describe into @p out.
 * @return 0; -ENOENT (err "" when @p id cannot name an entry); -errno
 */
int ktstr_kcache__lookup(const char *root, const char *id, struct ktstr_kernel *out, char *err,
			 size_t errlen);

/* --- locks (kcache_lock.c, kcache_reader.c) ------------------------------ */

#define KTSTR_KCACHE_READ_TIMEOUT_MS 10000
#define KTSTR_KCACHE_WRITE_TIMEOUT_MS 60000
/*
 * OR'ed into a LOCK_EX op: the timeout runs only while readers hold the
 * entry; another process installing it (downloading, building: minutes)
 * is waited for as long as it holds the lock. Ctrl-C still stops the wait.
 */
#define KTSTR_KCACHE_LOCK_PATIENT 0x1000

/**
 * @brief flock {root}/.locks/{key}.lock (created 0666): @p op LOCK_SH or
 *        LOCK_EX, retried every 100 ms for @p timeout_ms (0: one try). The
 *        root and .locks are created. Network and FUSE filesystems are
 *        refused. On a terminal, the first wait says who holds it.
 * @param fd_out  the locked fd; ktstr_kcache__unlock() releases it
 * @return 0; -EWOULDBLOCK (timeout 0) or -ETIMEDOUT naming the holders in
 *         @p err; -errno (err set)
 */
int ktstr_kcache__lock(const char *root, const char *key, int op, unsigned timeout_ms, int *fd_out,
		       char *err, size_t errlen);
void ktstr_kcache__unlock(int fd);
/**
 * @brief When @p image is {root}/{key}/{file} of the cache (compared after
 *        canonicalizing), take LOCK_SH on the entry for 10 s at most: a test
 *        run holds it while the VM boots from it, so no install --force or
 *        `kernel clean` removes it meanwhile.
 * @param fd_out  -1 when @p image is not in the cache; else the lock to
 *                release with ktstr_kcache__unlock()
 * @return 0 or -errno (-ETIMEDOUT naming the holders in @p err)
 */
int ktstr_kcache__read_lock(const char *image, int *fd_out, char *err, size_t errlen);
/**
 * @brief Refuse a lockfile path on NFS, CIFS, SMB2, Ceph, AFS or FUSE
 *        (statfs of @p path or its parent).
 * @return 0 or -ENOTSUP (err set)
 */
int ktstr_kcache__lock_fs_check(const char *path, char *err, size_t errlen);
/** @brief The name of a refused filesystem for statfs magic @p magic, or NULL. */
const char *ktstr_kcache__fs_refused(unsigned long magic);
/** @brief "  pid=N cmd=..." lines of the flock holders of @p fd's file, or "<none recorded>". */
void ktstr_kcache__lock_holders(int fd, const char *path, char *out, size_t len);

/* --- install, stores in progress, cleaning (kcache_install.c, _tmp.c, _clean.c) -- */

/**
 * @brief host->kernel_install(): see plugin.h. Errors are set on @p inst.
 * @return 0 already cached, 1 installed now, -errno
 */
int ktstr_kcache__install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			  struct ktstr_kernel *out);

/** @brief Parse ".tmp-{key}-{pid}": the pid (0 when none) and whether it lives. */
void ktstr_kcache__tmp_parse(const char *name, struct ktstr_kcache_tmp *out);
/**
 * @brief rm -rf every {root}/.tmp-* whose pid is dead, except @p keep (a
 *        name, may be NULL). @return how many were removed
 */
unsigned ktstr_kcache__sweep_tmp(const char *root, const char *keep);

/**
 * @brief Mark in @p sel (l->n bools) what `kernel clean` removes: every
 *        corrupt entry, plus the valid ones after the @p keep newest (@p keep
 *        < 0: all of them) unless @p corrupt_only.
 * @return how many are marked
 */
size_t ktstr_kcache__clean_select(const struct ktstr_kcache_list *l, long keep, bool corrupt_only,
				  bool *sel);
/**
 * @brief Remove entry @p seen (as a listing showed it) unless someone holds
 *        its lock (a test run reading it, an install): the lock is tried
 *        without waiting. Under the lock the entry is loaded again and left
 *        alone when it changed since (a corrupt one repaired, a valid one
 *        reinstalled).
 * @return 0; -EBUSY when held (err names the holders); -ESTALE when it
 *         changed; -errno (err set)
 */
int ktstr_kcache__remove(const char *root, const struct ktstr_kcache_entry *seen, char *err,
			 size_t errlen);

#endif
