#include "gha_blob.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#define BLOB_ZSTD_LEVEL "3"
#define BLOB_MAX_META (1u << 20)
#define BLOB_CHUNK 65536

bool ktstr_gha_blob__name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= NAME_MAX || name[0] == '.' || strchr(name, '/') != NULL ||
	    strstr(name, "..") != NULL) {
		return false;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			return false; /* printable ASCII only: names end up on the terminal */
		}
	}
	return true;
}

/*
 * @s as it may be shown on a terminal: bytes outside printable ASCII, '"'
 * and '\' as \xNN. A blob's names are untrusted: an escape sequence would
 * otherwise reach the user's terminal.
 */
static const char *blob__shown(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0' && n + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			out[n++] = (char)c;
		} else {
			n += (size_t)snprintf(out + n, len - n, "\\x%02x", c);
		}
	}
	out[n] = '\0';
	return out;
}

/* A version to show and key on: printable ASCII without blanks ("" when none). */
static bool blob__version_ok(const char *v)
{
	for (; *v != '\0'; v++) {
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f) {
			return false;
		}
	}
	return true;
}

/* The image name a metadata object names, or NULL with @err set. */
static const char *blob__image_name(json_t *meta, const char *path, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(meta, "image_name"));

	if (name == NULL) {
		snprintf(err, errlen, "%s: no \"image_name\" string", path);
		return NULL;
	}
	if (!ktstr_gha_blob__name_ok(name) || strcmp(name, "metadata.json") == 0 ||
	    strcmp(name, "vmlinux") == 0) {
		char shown[NAME_MAX * 4 + 1];

		snprintf(err, errlen, "%s: image_name \"%s\" is not a plain file name", path,
			 blob__shown(name, shown, sizeof(shown)));
		return NULL;
	}
	return name;
}

/* Load @path as a JSON object, or NULL with @err set. */
static json_t *blob__load_meta(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *meta = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (meta == NULL) {
		char shown[sizeof(je.text) * 4];

		snprintf(err, errlen, "%s: %s", path, blob__shown(je.text, shown, sizeof(shown)));
		return NULL;
	}
	if (!json_is_object(meta)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		json_decref(meta);
		return NULL;
	}
	return meta;
}

/* ---- pack ---- */

static int blob__arc_err(struct archive *a, const char *what, char *err, size_t errlen)
{
	const char *msg = archive_error_string(a);

	snprintf(err, errlen, "%s: %s", what, msg != NULL ? msg : "libarchive failed");
	return archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
}

static struct archive_entry *blob__entry(const char *name, int64_t size, time_t mtime)
{
	struct archive_entry *e = archive_entry_new();

	if (e != NULL) {
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, size);
		archive_entry_set_mtime(e, mtime, 0);
	}
	return e;
}

static int blob__add_mem(struct archive *a, const char *name, const char *data, size_t len,
			 char *err, size_t errlen)
{
	struct archive_entry *e = blob__entry(name, (int64_t)len, time(NULL));
	int ret = 0;

	if (e == NULL) {
		return -ENOMEM;
	}
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, data, len) != (la_ssize_t)len) {
		ret = blob__arc_err(a, name, err, errlen);
	}
	archive_entry_free(e);
	return ret;
}

static int blob__add_file(struct archive *a, const char *dir, const char *name, char *err,
			  size_t errlen)
{
	char path[PATH_MAX], buf[BLOB_CHUNK];
	struct archive_entry *e = NULL;
	struct stat st;
	ssize_t n = 0;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		ret = -EINVAL;
		goto out;
	}
	e = blob__entry(name, st.st_size, st.st_mtime);
	if (e == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		ret = blob__arc_err(a, name, err, errlen);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (archive_write_data(a, buf, (size_t)n) != n) {
			ret = blob__arc_err(a, name, err, errlen);
			goto out;
		}
	}
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	}
out:
	archive_entry_free(e);
	close(fd);
	return ret;
}

/* metadata.json of @dir as packed: source_tree_path nulled. Sets @image. */
static char *blob__meta_text(const char *dir, char *image, size_t imagelen, char *err,
			     size_t errlen)
{
	char path[PATH_MAX];
	json_t *meta, *source;
	const char *name;
	char *text = NULL;

	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	meta = blob__load_meta(path, err, errlen);
	if (meta == NULL) {
		return NULL;
	}
	name = blob__image_name(meta, path, err, errlen);
	if (name != NULL) {
		snprintf(image, imagelen, "%s", name);
		source = json_object_get(meta, "source");
		if (json_is_object(source) && json_object_get(source, "source_tree_path") != NULL) {
			json_object_set_new(source, "source_tree_path", json_null());
		}
		text = json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text == NULL) {
			snprintf(err, errlen, "%s: out of memory", path);
		}
	}
	json_decref(meta);
	return text;
}

int ktstr_gha_blob__pack(const char *dir, FILE *out, char *err, size_t errlen)
{
	char image[256], vmlinux[PATH_MAX];
	struct archive *a;
	struct stat st;
	char *meta;
	int ret;

	err[0] = '\0';
	meta = blob__meta_text(dir, image, sizeof(image), err, errlen);
	if (meta == NULL) {
		return err[0] != '\0' ? -EINVAL : -ENOMEM;
	}
	a = archive_write_new();
	if (a == NULL) {
		free(meta);
		return -ENOMEM;
	}
	if (archive_write_set_format_gnutar(a) != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "zstd", "compression-level", BLOB_ZSTD_LEVEL) !=
		ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) !=
		ARCHIVE_OK || /* no zero padding after the zstd frame */
	    archive_write_open_FILE(a, out) != ARCHIVE_OK) {
		ret = blob__arc_err(a, "cannot start the blob", err, errlen);
		goto out;
	}
	ret = blob__add_mem(a, "metadata.json", meta, strlen(meta), err, errlen);
	if (ret == 0) {
		ret = blob__add_file(a, dir, image, err, errlen);
	}
	snprintf(vmlinux, sizeof(vmlinux), "%s/vmlinux", dir);
	if (ret == 0 && stat(vmlinux, &st) == 0) {
		ret = blob__add_file(a, dir, "vmlinux", err, errlen);
	}
	if (ret == 0 && archive_write_close(a) != ARCHIVE_OK) {
		ret = blob__arc_err(a, "cannot finish the blob", err, errlen);
	}
out:
	archive_write_free(a);
	free(meta);
	return ret;
}

/* ---- unpack ---- */

struct blob_unpack {
	const char *dir;
	uint64_t max_entry;
	char names[3][NAME_MAX]; /* written so far: metadata.json, the image, vmlinux */
	unsigned nr_names;
	int image; /* index in names of the image, -1 before it */
	bool meta;
	bool vmlinux;
};

static void blob__cleanup(struct blob_unpack *u)
{
	char path[PATH_MAX];

	for (unsigned i = 0; i < u->nr_names; i++) {
		snprintf(path, sizeof(path), "%s/%s", u->dir, u->names[i]);
		unlink(path);
	}
}

/* Copy the current entry's data into a new file @dir/@name, at most @max bytes. */
static int blob__extract(struct archive *a, struct blob_unpack *u, const char *name, uint64_t max,
			 char *err, size_t errlen)
{
	char path[PATH_MAX], buf[BLOB_CHUNK];
	uint64_t total = 0;
	la_ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", u->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	snprintf(u->names[u->nr_names++], NAME_MAX, "%s", name);
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		total += (uint64_t)n;
		if (total > max) {
			snprintf(err, errlen, "blob entry %s is larger than %" PRIu64 " bytes",
				 name, max);
			ret = -EFBIG;
			break;
		}
		if (write(fd, buf, (size_t)n) != n) {
			ret = errno != 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			break;
		}
	}
	if (ret == 0 && n < 0) {
		snprintf(err, errlen, "blob entry %s: %s", name, archive_error_string(a));
		ret = -EBADMSG;
	}
	if (close(fd) != 0 && ret == 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	}
	return ret;
}

/* Check the entry header @e and write its data. */
static int blob__entry_in(struct archive *a, struct archive_entry *e, struct blob_unpack *u,
			  char *err, size_t errlen)
{
	const char *name = archive_entry_pathname(e);
	bool is_meta, is_vmlinux;
	uint64_t max = u->max_entry;
	int ret;

	if (name == NULL || !ktstr_gha_blob__name_ok(name)) {
		char shown[NAME_MAX * 4 + 1];

		snprintf(err, errlen, "blob entry \"%s\" refused: not a plain file name",
			 blob__shown(name, shown, sizeof(shown)));
		return -EBADMSG;
	}
	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != NULL) {
		snprintf(err, errlen, "blob entry %s refused: not a regular file", name);
		return -EBADMSG;
	}
	is_meta = strcmp(name, "metadata.json") == 0;
	is_vmlinux = strcmp(name, "vmlinux") == 0;
	if ((is_meta && u->meta) || (is_vmlinux && u->vmlinux) ||
	    (!is_meta && !is_vmlinux && u->image >= 0)) {
		snprintf(err, errlen, "blob entry %s refused: a second %s", name,
			 is_meta      ? "metadata.json"
			 : is_vmlinux ? "vmlinux"
				      : "image");
		return -EBADMSG;
	}
	if (is_meta && max > BLOB_MAX_META) {
		max = BLOB_MAX_META;
	}
	if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > max) {
		snprintf(err, errlen, "blob entry %s is larger than %" PRIu64 " bytes", name, max);
		return -EFBIG;
	}
	ret = blob__extract(a, u, name, max, err, errlen);
	if (ret < 0) {
		return ret;
	}
	u->meta |= is_meta;
	u->vmlinux |= is_vmlinux;
	if (!is_meta && !is_vmlinux) {
		u->image = (int)u->nr_names - 1;
	}
	return 0;
}

/* Read metadata.json back, put the image under its image_name, fill @info. */
static int blob__finish(struct blob_unpack *u, struct ktstr_gha_blob_info *info, char *err,
			size_t errlen)
{
	char path[PATH_MAX], from[PATH_MAX];
	const char *name, *version;
	json_t *meta;
	int ret = 0;

	if (!u->meta || u->image < 0) {
		snprintf(err, errlen, "the blob has no %s",
			 !u->meta ? "metadata.json" : "image entry");
		return -EBADMSG;
	}
	snprintf(path, sizeof(path), "%s/metadata.json", u->dir);
	meta = blob__load_meta(path, err, errlen);
	if (meta == NULL) {
		return -EBADMSG;
	}
	name = blob__image_name(meta, path, err, errlen);
	if (name == NULL) {
		ret = -EBADMSG;
		goto out;
	}
	version = json_string_value(json_object_get(meta, "version"));
	if (version != NULL && !blob__version_ok(version)) {
		char shown[128];

		snprintf(err, errlen, "%s: version \"%s\" is not printable text without blanks",
			 path, blob__shown(version, shown, sizeof(shown)));
		ret = -EBADMSG;
		goto out;
	}
	if (strcmp(name, u->names[u->image]) != 0) {
		snprintf(from, sizeof(from), "%s/%s", u->dir, u->names[u->image]);
		snprintf(path, sizeof(path), "%s/%s", u->dir, name);
		if (rename(from, path) != 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			goto out;
		}
		snprintf(u->names[u->image], NAME_MAX, "%s", name); /* for the cleanup */
	}
	snprintf(info->image_name, sizeof(info->image_name), "%s", name);
	snprintf(info->version, sizeof(info->version), "%s", version != NULL ? version : "");
	info->has_vmlinux = u->vmlinux;
out:
	json_decref(meta);
	return ret;
}

int ktstr_gha_blob__unpack(FILE *in, const char *dir, uint64_t max_entry,
			   struct ktstr_gha_blob_info *info, char *err, size_t errlen)
{
	struct blob_unpack u = {.dir = dir, .max_entry = max_entry, .image = -1};
	struct archive_entry *e;
	struct archive *a;
	int ret = 0, rc;

	memset(info, 0, sizeof(*info));
	err[0] = '\0';
	a = archive_read_new();
	if (a == NULL) {
		return -ENOMEM;
	}
	/* zstd when the magic says so; otherwise the "none" filter: a plain tar. */
	if (archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_FILE(a, in) != ARCHIVE_OK) {
		snprintf(err, errlen, "the blob is not a (zstd-compressed) tar: %s",
			 archive_error_string(a));
		ret = -EBADMSG;
		goto out;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (u.nr_names == 3) {
			char shown[NAME_MAX * 4 + 1];

			snprintf(err, errlen, "blob entry \"%s\" refused: more than 3 entries",
				 blob__shown(archive_entry_pathname(e), shown, sizeof(shown)));
			ret = -EBADMSG;
			goto out;
		}
		ret = blob__entry_in(a, e, &u, err, errlen);
		if (ret < 0) {
			goto out;
		}
	}
	if (rc != ARCHIVE_EOF) {
		snprintf(err, errlen, "the blob is truncated or corrupt: %s",
			 archive_error_string(a));
		ret = -EBADMSG;
		goto out;
	}
	ret = blob__finish(&u, info, err, errlen);
out:
	if (ret < 0) {
		blob__cleanup(&u);
	}
	archive_read_free(a);
	return ret;
}
