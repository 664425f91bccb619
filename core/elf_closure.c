#define _GNU_SOURCE
#include "elf_closure.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define DEFAULT_LDCACHE "/etc/ld.so.cache"

static const char *const default_dirs[] = {
    "/lib",
    "/usr/lib",
    "/lib64",
    "/usr/lib64",
    "/usr/local/lib",
    "/usr/local/lib64",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
};

/* What the loader needs to know about one object. */
struct elf_info {
	int cls;
	unsigned mach;
	char *interp;
	char *soname;
	char *rpath;
	char *runpath;
	char **needed;
	size_t nneeded;
};

/* An object of the breadth-first walk of one executable. */
struct node {
	char *host;   /* the path it was opened under on the host */
	char *name;   /* the same, normalised, for messages */
	char *origin; /* $ORIGIN */
	long parent;  /* index of the object that loaded it, -1 for the executable */
	struct elf_info info;
};

/* A DT_NEEDED name already resolved in this walk (ld.so matches loaded names first). */
struct name_map {
	char *name;
	size_t lib;
};

struct walk {
	struct ktstr_elf_closure *c;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct name_map *names;
	size_t nnames, capnames;
	int cls;
	unsigned mach;
	char *interp_dir; /* set for an interpreter outside the default dirs */
	char *err;
	size_t errlen;
};

static void elf_info__release(struct elf_info *in)
{
	free(in->interp);
	free(in->soname);
	free(in->rpath);
	free(in->runpath);
	for (size_t i = 0; i < in->nneeded; i++) {
		free(in->needed[i]);
	}
	free(in->needed);
	memset(in, 0, sizeof(*in));
}

/* Copies a NUL-terminated string out of a raw chunk, or NULL when it runs off the end. */
static char *chunk_str(const Elf_Data *d, size_t off)
{
	const char *s;
	const char *nul;

	if (d == NULL || off >= d->d_size) {
		return NULL;
	}
	s = (const char *)d->d_buf + off;
	nul = memchr(s, '\0', d->d_size - off);
	return nul == NULL ? NULL : strndup(s, (size_t)(nul - s));
}

/* File offset of @p len bytes at virtual address @p vaddr, through the PT_LOAD segments. */
static int vaddr_to_off(Elf *e, size_t nph, GElf_Addr vaddr, GElf_Xword len, GElf_Off *off)
{
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_LOAD) {
			continue;
		}
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr <= ph.p_filesz &&
		    len <= ph.p_filesz - (vaddr - ph.p_vaddr)) {
			*off = ph.p_offset + (vaddr - ph.p_vaddr);
			return 0;
		}
	}
	return -ENOEXEC;
}

/* Reads PT_INTERP and the dynamic section through the program headers, as ld.so does. */
static int read_dynamic(Elf *e, size_t nph, const GElf_Phdr *dyn, struct elf_info *in)
{
	GElf_Addr strtab = 0;
	GElf_Xword strsz = 0;
	GElf_Off stroff;
	size_t entsz = gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT), n, nneeded = 0;
	size_t *needed_off;
	GElf_Xword soname = (GElf_Xword)-1, rpath = (GElf_Xword)-1, runpath = (GElf_Xword)-1;
	Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)dyn->p_offset, dyn->p_filesz, ELF_T_DYN);
	Elf_Data *strs;
	int err = -ENOEXEC;

	if (d == NULL || entsz == 0) {
		return -ENOEXEC;
	}
	n = d->d_size / entsz;
	needed_off = calloc(n != 0 ? n : 1, sizeof(*needed_off));
	if (needed_off == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dy;

		if (gelf_getdyn(d, (int)i, &dy) == NULL || dy.d_tag == DT_NULL) {
			break;
		}
		switch (dy.d_tag) {
		case DT_NEEDED:
			needed_off[nneeded++] = dy.d_un.d_val;
			break;
		case DT_STRTAB:
			strtab = dy.d_un.d_ptr;
			break;
		case DT_STRSZ:
			strsz = dy.d_un.d_val;
			break;
		case DT_SONAME:
			soname = dy.d_un.d_val;
			break;
		case DT_RPATH:
			rpath = dy.d_un.d_val;
			break;
		case DT_RUNPATH:
			runpath = dy.d_un.d_val;
			break;
		default:
			break;
		}
	}
	if (strsz == 0 || vaddr_to_off(e, nph, strtab, strsz, &stroff) != 0) {
		goto out;
	}
	strs = elf_getdata_rawchunk(e, (int64_t)stroff, strsz, ELF_T_BYTE);
	if (strs == NULL) {
		goto out;
	}
	in->needed = calloc(nneeded != 0 ? nneeded : 1, sizeof(*in->needed));
	if (in->needed == NULL) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nneeded; i++) {
		in->needed[i] = chunk_str(strs, needed_off[i]);
		if (in->needed[i] == NULL) {
			goto out;
		}
		in->nneeded++;
	}
	if ((soname != (GElf_Xword)-1 && (in->soname = chunk_str(strs, soname)) == NULL) ||
	    (rpath != (GElf_Xword)-1 && (in->rpath = chunk_str(strs, rpath)) == NULL) ||
	    (runpath != (GElf_Xword)-1 && (in->runpath = chunk_str(strs, runpath)) == NULL)) {
		goto out;
	}
	err = 0;
out:
	free(needed_off);
	return err;
}

static int elf_info__read(const char *path, struct elf_info *in, char *errbuf, size_t errlen)
{
	GElf_Phdr dyn = {0};
	bool has_dyn = false;
	GElf_Ehdr eh;
	size_t nph;
	Elf *e;
	int fd, err = -ENOEXEC;

	memset(in, 0, sizeof(*in));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e == NULL || elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL) {
		snprintf(errbuf, errlen, "%s: not an ELF file", path);
		goto err_elf;
	}
	in->cls = gelf_getclass(e);
	in->mach = eh.e_machine;
	if (elf_getphdrnum(e, &nph) != 0) {
		goto err_malformed;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (gelf_getphdr(e, (int)i, &ph) == NULL) {
			goto err_malformed;
		}
		if (ph.p_type == PT_DYNAMIC) {
			dyn = ph;
			has_dyn = true;
		} else if (ph.p_type == PT_INTERP && in->interp == NULL) {
			d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
			in->interp = chunk_str(d, 0);
			if (in->interp == NULL || in->interp[0] == '\0') {
				goto err_malformed;
			}
		}
	}
	if (has_dyn) {
		err = read_dynamic(e, nph, &dyn, in);
		if (err == -ENOMEM) {
			snprintf(errbuf, errlen, "out of memory reading %s", path);
			goto err_elf;
		}
		if (err != 0) {
			goto err_malformed;
		}
	}
	elf_end(e);
	close(fd);
	return 0;
err_malformed:
	err = -ENOEXEC;
	snprintf(errbuf, errlen, "%s: malformed ELF dynamic data (%s); is the file truncated?",
		 path, elf_errmsg(-1));
err_elf:
	elf_end(e);
	close(fd);
	elf_info__release(in);
	return err;
}

/* ld.so skips a candidate of another class or machine and keeps searching. */
static bool compatible(const char *path, int cls, unsigned mach)
{
	struct stat st;
	GElf_Ehdr eh;
	bool ok = false;
	Elf *e;
	int fd;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e != NULL && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh) != NULL) {
		ok = gelf_getclass(e) == cls && eh.e_machine == mach;
	}
	elf_end(e);
	close(fd);
	return ok;
}

/* Absolute, with "//", "." and ".." folded: in the archive every directory is real. */
static char *normalize(const char *path)
{
	char cwd[PATH_MAX];
	char *full, *out;
	size_t olen = 0;
	const char *p;

	if (path[0] == '/') {
		full = strdup(path);
	} else if (getcwd(cwd, sizeof(cwd)) == NULL || asprintf(&full, "%s/%s", cwd, path) < 0) {
		full = NULL;
	}
	if (full == NULL) {
		return NULL;
	}
	out = malloc(strlen(full) + 2);
	if (out == NULL) {
		free(full);
		return NULL;
	}
	for (p = full; *p != '\0';) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (olen > 0 && out[olen - 1] != '/') {
				olen--;
			}
			if (olen > 0) {
				olen--;
			}
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			out[olen++] = '/';
			memcpy(out + olen, p, len);
			olen += len;
		}
		p = *end == '/' ? end + 1 : end;
	}
	if (olen == 0) {
		out[olen++] = '/';
	}
	out[olen] = '\0';
	free(full);
	return out;
}

static const char *platform(unsigned mach)
{
	switch (mach) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i686";
	default:
		return "";
	}
}

/* Length of "$NAME" or "${NAME}" at @p p (just after the '$'), 0 if it is not there. */
static size_t dst_len(const char *p, const char *name)
{
	size_t n = strlen(name);

	if (p[0] == '{') {
		return strncmp(p + 1, name, n) == 0 && p[n + 1] == '}' ? n + 2 : 0;
	}
	if (strncmp(p, name, n) != 0 || p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z') ||
	    (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9')) {
		return 0;
	}
	return n;
}

/* Expands $ORIGIN, $LIB and $PLATFORM (and their ${} forms); other text is kept. */
static char *expand(const char *s, const char *origin, unsigned mach)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (f == NULL) {
		return NULL;
	}
	while (*s != '\0') {
		size_t n;

		if (*s != '$') {
			fputc(*s++, f);
		} else if ((n = dst_len(s + 1, "ORIGIN")) != 0) {
			fputs(origin, f);
			s += 1 + n;
		} else if ((n = dst_len(s + 1, "LIB")) != 0) {
			fputs("lib64", f);
			s += 1 + n;
		} else if ((n = dst_len(s + 1, "PLATFORM")) != 0) {
			fputs(platform(mach), f);
			s += 1 + n;
		} else {
			fputc(*s++, f);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "dir/name" when that is a compatible ELF, else NULL (and *oom on allocation failure). */
static char *try_dir(const struct walk *w, const char *dir, const char *name, bool *oom)
{
	char *cand;

	if (asprintf(&cand, "%s/%s", dir, name) < 0) {
		*oom = true;
		return NULL;
	}
	if (compatible(cand, w->cls, w->mach)) {
		return cand;
	}
	free(cand);
	return NULL;
}

static char *search_list(const struct walk *w, const char *list, const char *delims,
			 const char *origin, const char *name, bool *oom)
{
	char *copy = strdup(list), *save = NULL, *found = NULL;

	if (copy == NULL) {
		*oom = true;
		return NULL;
	}
	/* strtok_r skips empty elements: an empty one would mean the host's cwd. */
	for (char *el = strtok_r(copy, delims, &save); el != NULL && found == NULL && !*oom;
	     el = strtok_r(NULL, delims, &save)) {
		char *dir = expand(el, origin, w->mach);

		if (dir == NULL) {
			*oom = true;
			break;
		}
		found = try_dir(w, dir, name, oom);
		free(dir);
	}
	free(copy);
	return found;
}

static int cache_flags(int cls, unsigned mach)
{
	if (cls == ELFCLASS64 && mach == EM_X86_64) {
		return KTSTR_LDCACHE_FLAG_ELF_LIBC6 | KTSTR_LDCACHE_FLAG_X8664_LIB64;
	}
	if (cls == ELFCLASS64 && mach == EM_AARCH64) {
		return KTSTR_LDCACHE_FLAG_ELF_LIBC6 | KTSTR_LDCACHE_FLAG_AARCH64_LIB64;
	}
	if (cls == ELFCLASS32 && mach == EM_386) {
		return KTSTR_LDCACHE_FLAG_ELF_LIBC6;
	}
	return -1;
}

static const struct ktstr_ldcache *ldcache(struct ktstr_elf_closure *c)
{
	const char *path = c->ldcache_path != NULL ? c->ldcache_path : DEFAULT_LDCACHE;
	int err;

	if (c->ldcache_state == 0) {
		err = ktstr_ldcache__load(path, &c->ldcache);
		c->ldcache_state = err == 0 ? 1 : -1;
		if (err == -EBADMSG) {
			KTSTR_WARN("%s: not a glibc-ld.so.cache1.1 file, ignoring it; "
				   "run ldconfig to rebuild it",
				   path);
		} else if (err != 0) {
			KTSTR_DBG("%s: %s, searching without it", path, strerror(-err));
		}
	}
	return c->ldcache_state == 1 ? &c->ldcache : NULL;
}

static char *search_cache(struct walk *w, const char *name, bool *oom)
{
	const struct ktstr_ldcache *lc = ldcache(w->c);
	int flags = cache_flags(w->cls, w->mach);
	const char *v;
	char *cand;

	if (lc == NULL || flags < 0) {
		return NULL;
	}
	v = ktstr_ldcache__lookup(lc, name, flags);
	if (v == NULL || !compatible(v, w->cls, w->mach)) {
		return NULL;
	}
	cand = strdup(v);
	if (cand == NULL) {
		*oom = true;
	}
	return cand;
}

/* The loader's search for DT_NEEDED @p name of node @p i; NULL when not found. */
static char *resolve(struct walk *w, size_t i, const char *name, bool *oom)
{
	const struct node *nd = &w->nodes[i];
	char *found = NULL;

	if (strchr(name, '/') != NULL) {
		found = expand(name, nd->origin, w->mach);
		if (found == NULL) {
			*oom = true;
		} else if (!compatible(found, w->cls, w->mach)) {
			free(found);
			found = NULL;
		}
		return found;
	}
	if (nd->info.runpath == NULL) {
		for (long j = (long)i; j >= 0 && found == NULL && !*oom; j = w->nodes[j].parent) {
			const struct node *l = &w->nodes[j];

			if (l->info.rpath != NULL && l->info.runpath == NULL) {
				found = search_list(w, l->info.rpath, ":", l->origin, name, oom);
			}
		}
	}
	if (found == NULL && !*oom && w->c->ld_library_path != NULL) {
		found = search_list(w, w->c->ld_library_path, ":;", w->nodes[0].origin, name, oom);
	}
	if (found == NULL && !*oom && nd->info.runpath != NULL) {
		found = search_list(w, nd->info.runpath, ":", nd->origin, name, oom);
	}
	if (found == NULL && !*oom && w->interp_dir != NULL) {
		static const char *const rel[] = {"", "/../lib", "/../lib64"};

		for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]) && found == NULL && !*oom;
		     k++) {
			char *dir;

			if (asprintf(&dir, "%s%s", w->interp_dir, rel[k]) < 0) {
				*oom = true;
				break;
			}
			found = try_dir(w, dir, name, oom);
			free(dir);
		}
	}
	if (found == NULL && !*oom) {
		found = search_cache(w, name, oom);
	}
	for (size_t k = 0;
	     k < sizeof(default_dirs) / sizeof(default_dirs[0]) && found == NULL && !*oom; k++) {
		found = try_dir(w, default_dirs[k], name, oom);
	}
	return found;
}

static bool lib_find(const struct ktstr_elf_closure *c, const char *path, size_t *idx)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->libs[i].path, path) == 0) {
			*idx = i;
			return true;
		}
	}
	return false;
}

/* Takes @p path and @p real on success. */
static int lib_push(struct ktstr_elf_closure *c, char *path, char *real, size_t *idx)
{
	if (c->n == c->cap) {
		size_t cap = c->cap != 0 ? c->cap * 2 : 16;
		struct ktstr_elf_lib *nl = realloc(c->libs, cap * sizeof(*nl));

		if (nl == NULL) {
			return -ENOMEM;
		}
		c->libs = nl;
		c->cap = cap;
	}
	c->libs[c->n].path = path;
	c->libs[c->n].real = real;
	*idx = c->n++;
	return 0;
}

static bool name_get(const struct walk *w, const char *name)
{
	for (size_t i = 0; i < w->nnames; i++) {
		if (strcmp(w->names[i].name, name) == 0) {
			return true;
		}
	}
	return false;
}

static int name_put(struct walk *w, const char *name, size_t lib)
{
	if (name_get(w, name)) {
		return 0;
	}
	if (w->nnames == w->capnames) {
		size_t cap = w->capnames != 0 ? w->capnames * 2 : 16;
		struct name_map *nm = realloc(w->names, cap * sizeof(*nm));

		if (nm == NULL) {
			return -ENOMEM;
		}
		w->names = nm;
		w->capnames = cap;
	}
	w->names[w->nnames].name = strdup(name);
	if (w->names[w->nnames].name == NULL) {
		return -ENOMEM;
	}
	w->names[w->nnames++].lib = lib;
	return 0;
}

static char *dir_of(const char *path)
{
	char *d = strdup(path), *sl;

	if (d == NULL) {
		return NULL;
	}
	sl = strrchr(d, '/');
	if (sl == NULL) {
		free(d);
		return strdup(".");
	}
	sl[sl == d ? 1 : 0] = '\0';
	return d;
}

/* Reads @p host and queues it; @p origin_of is the path whose directory is $ORIGIN. */
static int node_push(struct walk *w, const char *host, const char *origin_of, long parent)
{
	struct node *nd;
	int err;

	if (w->nnodes == w->capnodes) {
		size_t cap = w->capnodes != 0 ? w->capnodes * 2 : 16;
		struct node *nn = realloc(w->nodes, cap * sizeof(*nn));

		if (nn == NULL) {
			return -ENOMEM;
		}
		w->nodes = nn;
		w->capnodes = cap;
	}
	nd = &w->nodes[w->nnodes];
	memset(nd, 0, sizeof(*nd));
	nd->parent = parent;
	nd->host = strdup(host);
	nd->name = normalize(host);
	nd->origin = dir_of(origin_of);
	if (nd->host == NULL || nd->name == NULL || nd->origin == NULL) {
		err = -ENOMEM;
		goto err_node;
	}
	err = elf_info__read(host, &nd->info, w->err, w->errlen);
	if (err != 0) {
		goto err_node;
	}
	w->nnodes++;
	return 0;
err_node:
	free(nd->host);
	free(nd->name);
	free(nd->origin);
	return err;
}

static bool is_default_dir(const char *dir)
{
	for (size_t k = 0; k < sizeof(default_dirs) / sizeof(default_dirs[0]); k++) {
		if (strcmp(default_dirs[k], dir) == 0) {
			return true;
		}
	}
	return false;
}

/* Adds the library the loader opens at @p host (if new) and names it @p name. */
static int add_found(struct walk *w, const char *host, const char *name, long parent, bool walk)
{
	char *norm = normalize(host), *real;
	size_t idx;
	int err;

	if (norm == NULL) {
		return -ENOMEM;
	}
	if (lib_find(w->c, norm, &idx)) {
		free(norm);
		return name != NULL ? name_put(w, name, idx) : 0;
	}
	real = realpath(host, NULL);
	if (real == NULL) {
		err = -errno;
		snprintf(w->err, w->errlen, "cannot resolve %s: %s", host, strerror(-err));
		free(norm);
		return err;
	}
	err = lib_push(w->c, norm, real, &idx);
	if (err != 0) {
		free(norm);
		free(real);
		return err;
	}
	if (name != NULL) {
		err = name_put(w, name, idx);
	}
	if (err == 0 && walk) {
		err = node_push(w, host, host, parent);
	}
	if (err == 0 && walk && w->nodes[w->nnodes - 1].info.soname != NULL) {
		err = name_put(w, w->nodes[w->nnodes - 1].info.soname, idx);
	}
	return err;
}

/* The interpreter is loaded first, so its soname satisfies a later DT_NEEDED. */
static int add_interp(struct walk *w, const char *interp, const char *elf_path)
{
	struct elf_info info;
	char *norm, *dir;
	int err;

	if (!compatible(interp, w->cls, w->mach)) {
		snprintf(w->err, w->errlen,
			 "%s needs the interpreter %s, which is missing or not an ELF of the same "
			 "class and machine; install it or pack a matching binary",
			 elf_path, interp);
		return -ENOENT;
	}
	err = elf_info__read(interp, &info, w->err, w->errlen);
	if (err != 0) {
		return err;
	}
	err = add_found(w, interp, info.soname, -1, false);
	elf_info__release(&info);
	if (err != 0) {
		return err;
	}
	norm = normalize(interp);
	dir = norm != NULL ? dir_of(norm) : NULL;
	free(norm);
	if (dir == NULL) {
		return -ENOMEM;
	}
	if (is_default_dir(dir)) {
		free(dir);
	} else {
		w->interp_dir = dir;
	}
	return 0;
}

static void walk__release(struct walk *w)
{
	for (size_t i = 0; i < w->nnodes; i++) {
		free(w->nodes[i].host);
		free(w->nodes[i].name);
		free(w->nodes[i].origin);
		elf_info__release(&w->nodes[i].info);
	}
	free(w->nodes);
	for (size_t i = 0; i < w->nnames; i++) {
		free(w->names[i].name);
	}
	free(w->names);
	free(w->interp_dir);
}

int ktstr_elf_closure__add(struct ktstr_elf_closure *c, const char *elf_path, char *err,
			   size_t errlen)
{
	char scratch[1];
	struct walk w = {
	    .c = c,
	    .err = errlen > 0 ? err : scratch,
	    .errlen = errlen > 0 ? errlen : sizeof(scratch),
	};
	char *real;
	int rc;

	w.err[0] = '\0';
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(w.err, w.errlen, "libelf: %s", elf_errmsg(-1));
		return -ENOSYS;
	}
	/* The executable's $ORIGIN is its resolved directory (ld.so reads /proc/self/exe). */
	real = realpath(elf_path, NULL);
	if (real == NULL) {
		rc = -errno;
		snprintf(w.err, w.errlen, "cannot resolve %s: %s", elf_path, strerror(-rc));
		return rc;
	}
	rc = node_push(&w, elf_path, real, -1);
	free(real);
	if (rc != 0) {
		goto out;
	}
	w.cls = w.nodes[0].info.cls;
	w.mach = w.nodes[0].info.mach;
	if (w.nodes[0].info.interp != NULL) {
		rc = add_interp(&w, w.nodes[0].info.interp, elf_path);
		if (rc != 0) {
			goto out;
		}
	}
	for (size_t i = 0; i < w.nnodes; i++) {
		for (size_t k = 0; k < w.nodes[i].info.nneeded; k++) {
			const char *name = w.nodes[i].info.needed[k];
			bool oom = false;
			char *host;

			if (name_get(&w, name)) {
				continue;
			}
			host = resolve(&w, i, name, &oom);
			if (host == NULL) {
				rc = oom ? -ENOMEM : -ENOENT;
				if (!oom) {
					snprintf(
					    w.err, w.errlen,
					    "%s needs %s, which is not in its RPATH/RUNPATH, "
					    "LD_LIBRARY_PATH, ld.so.cache or the default library "
					    "dirs; install it or add its directory to "
					    "LD_LIBRARY_PATH",
					    w.nodes[i].name, name);
				}
				goto out;
			}
			rc = add_found(&w, host, name, (long)i, true);
			free(host);
			if (rc != 0) {
				goto out;
			}
		}
	}
out:
	if (rc == -ENOMEM && w.err[0] == '\0') {
		snprintf(w.err, w.errlen, "out of memory walking the libraries of %s", elf_path);
	}
	walk__release(&w);
	return rc;
}

int ktstr_elf_closure__new(const char *ld_library_path, const char *ldcache_path,
			   struct ktstr_elf_closure **out)
{
	struct ktstr_elf_closure *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return -ENOMEM;
	}
	if ((ld_library_path != NULL && (c->ld_library_path = strdup(ld_library_path)) == NULL) ||
	    (ldcache_path != NULL && (c->ldcache_path = strdup(ldcache_path)) == NULL)) {
		ktstr_elf_closure__free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void ktstr_elf_closure__free(struct ktstr_elf_closure *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		free(c->libs[i].path);
		free(c->libs[i].real);
	}
	free(c->libs);
	free(c->ld_library_path);
	free(c->ldcache_path);
	if (c->ldcache_state == 1) {
		ktstr_ldcache__release(&c->ldcache);
	}
	free(c);
}
