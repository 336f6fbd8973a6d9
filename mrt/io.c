/*
 * io.c — MRT records in and out of files (mrt.h).
 *
 * Input is recognised by its first bytes, not its name: bzip2 ("BZh") is
 * read with libbz2, gzip (1f 8b) with zlib, anything else as it is.  Records are framed by their 12-byte
 * headers in a buffer that grows to the largest record (at most
 * MRT_MAX_RECORD): a header or body cut short by the end of the stream is a
 * truncated record, and the stream ends there.
 *
 * Output is TABLE_DUMP_V2, plain or gzip, through a buffer of its own.
 */
#include "mrt.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

enum { IN_MEM, IN_PLAIN, IN_ZLIB, IN_BZIP2 };

struct mrt_in {
	int kind;
	gzFile gz;
	FILE *file;             /* plain, or under bzip2 */
	BZFILE *bz;             /* NULL once the last stream is done */
	unsigned streams;       /* bzip2 streams read to their end */
	bool eof;
	const uint8_t *mem;     /* IN_MEM: the whole stream */
	size_t mem_size;
	uint8_t *buf;
	size_t cap, start, end; /* buf[start, end) not consumed yet */
	uint64_t offset;        /* of buf[start] in the stream */
};

int mrt_in_open_mem(struct mrt_in **out, const void *data, size_t size)
{
	struct mrt_in *in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->kind = IN_MEM;
	in->mem = data;
	in->mem_size = size;
	*out = in;
	return 0;
}

int mrt_in_open(struct mrt_in **out, const char *path)
{
	uint8_t magic[3] = { 0, 0, 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t got = fread(magic, 1, sizeof(magic), f);
	struct mrt_in *in = calloc(1, sizeof(*in));
	if (!in) {
		fclose(f);
		return -ENOMEM;
	}
	if (got == 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
		rewind(f);
		int bzerr = BZ_OK;
		in->kind = IN_BZIP2;
		in->file = f;
		in->bz = BZ2_bzReadOpen(&bzerr, f, 0, 0, NULL, 0);
		if (bzerr != BZ_OK) {
			if (in->bz)
				BZ2_bzReadClose(&bzerr, in->bz);
			fclose(f);
			free(in);
			return -EIO;
		}
	} else if (got < 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		rewind(f);
		in->kind = IN_PLAIN;
		in->file = f;
	} else {
		fclose(f);
		in->kind = IN_ZLIB;
		in->gz = gzopen(path, "rb");
		if (!in->gz) {
			int err = errno ? -errno : -ENOMEM;
			free(in);
			return err;
		}
		(void)gzbuffer(in->gz, 256u << 10);
	}
	*out = in;
	return 0;
}

void mrt_in_close(struct mrt_in *in)
{
	if (!in)
		return;
	if (in->kind == IN_ZLIB)
		gzclose(in->gz);
	if (in->kind == IN_BZIP2) {
		int bzerr;
		if (in->bz)
			BZ2_bzReadClose(&bzerr, in->bz);
	}
	if (in->kind == IN_BZIP2 || in->kind == IN_PLAIN)
		fclose(in->file);
	free(in->buf);
	free(in);
}

/* Reads more of the stream into buf[end..cap): bytes read, 0 at the end,
 * -1 on an error (err set). */
static long refill(struct mrt_in *in, struct mrt_error *err)
{
	if (in->eof)
		return 0;
	size_t room = in->cap - in->end;
	if (in->kind == IN_PLAIN) {
		size_t got = fread(in->buf + in->end, 1, room, in->file);
		if (got == 0 && ferror(in->file)) {
			snprintf(err->what, sizeof(err->what), "read error");
			return -1;
		}
		if (got == 0)
			in->eof = true;
		return (long)got;
	}
	if (in->kind == IN_ZLIB) {
		int got = gzread(in->gz, in->buf + in->end, (unsigned)(room > (1u << 30) ? 1u << 30 : room));
		if (got < 0) {
			int zerr;
			snprintf(err->what, sizeof(err->what), "read error: %s", gzerror(in->gz, &zerr));
			return -1;
		}
		if (got == 0) {
			int zerr = Z_OK;
			(void)gzerror(in->gz, &zerr);
			if (zerr == Z_BUF_ERROR) {
				snprintf(err->what, sizeof(err->what), "the gzip stream ends early");
				return -1;
			}
			in->eof = true;
		}
		return got;
	}
	for (;;) {
		int bzerr = BZ_OK;
		int got = BZ2_bzRead(&bzerr, in->bz, in->buf + in->end, (int)(room > (1u << 30) ? 1u << 30 : room));
		if (bzerr == BZ_OK)
			return got;
		if (bzerr == BZ_DATA_ERROR_MAGIC && in->streams > 0) {
			in->eof = true; /* bytes after the last stream that are not one */
			return got;
		}
		if (bzerr != BZ_STREAM_END) {
			snprintf(err->what, sizeof(err->what), "bzip2: %s",
				 bzerr == BZ_DATA_ERROR || bzerr == BZ_DATA_ERROR_MAGIC ? "corrupt data"
				 : bzerr == BZ_UNEXPECTED_EOF			     ? "the file ends inside a stream"
										     : "read error");
			return -1;
		}
		/* A stream ended; concatenated ones (as pbzip2 writes) go on. */
		void *unused = NULL;
		int n_unused = 0, e2 = BZ_OK;
		char keep[BZ_MAX_UNUSED];
		BZ2_bzReadGetUnused(&e2, in->bz, &unused, &n_unused);
		if (e2 != BZ_OK || n_unused < 0)
			n_unused = 0;
		if (n_unused)
			memcpy(keep, unused, (size_t)n_unused);
		BZ2_bzReadClose(&e2, in->bz);
		in->bz = NULL;
		in->streams++;
		int c = n_unused ? 0 : fgetc(in->file);
		if (c == EOF) {
			in->eof = true;
			return got;
		}
		if (!n_unused)
			ungetc(c, in->file);
		in->bz = BZ2_bzReadOpen(&e2, in->file, 0, 0, n_unused ? keep : NULL, n_unused);
		if (e2 != BZ_OK) {
			if (in->bz)
				BZ2_bzReadClose(&e2, in->bz);
			in->bz = NULL;
			in->eof = true;
			return got;
		}
		if (got > 0)
			return got;
	}
}

/* Makes n bytes available at buf[start]: 1, 0 when the stream ends first,
 * -1 on an error. */
static int want(struct mrt_in *in, size_t n, struct mrt_error *err)
{
	if (in->kind == IN_MEM) {
		/* start/end index the memory itself. */
		return in->mem_size - in->start >= n ? 1 : 0;
	}
	while (in->end - in->start < n) {
		if (in->cap - in->start < n || in->end == in->cap) {
			/* Move what is left to the front; grow if it still does not fit. */
			size_t have = in->end - in->start;
			if (in->start) {
				memmove(in->buf, in->buf + in->start, have);
				in->start = 0;
				in->end = have;
			}
			if (in->cap < n || in->end == in->cap) {
				size_t cap = in->cap ? in->cap : 1u << 20;
				while (cap < n || cap == in->end)
					cap *= 2;
				uint8_t *b = realloc(in->buf, cap);
				if (!b) {
					snprintf(err->what, sizeof(err->what), "out of memory for a record of %zu bytes", n);
					return -1;
				}
				in->buf = b;
				in->cap = cap;
			}
		}
		long got = refill(in, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		in->end += (size_t)got;
	}
	return 1;
}

int mrt_in_next(struct mrt_in *in, struct mrt_record *rec, struct mrt_error *err)
{
	err->offset = in->offset;
	err->what[0] = 0;
	int r = want(in, MRT_HEADER, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		size_t have = in->kind == IN_MEM ? in->mem_size - in->start : in->end - in->start;
		if (have == 0)
			return 0;
		snprintf(err->what, sizeof(err->what), "truncated record header (%zu of 12 bytes)", have);
		return -1;
	}
	const uint8_t *h = in->kind == IN_MEM ? in->mem + in->start : in->buf + in->start;
	rec->offset = in->offset;
	rec->timestamp = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	rec->type = (uint16_t)(h[4] << 8 | h[5]);
	rec->subtype = (uint16_t)(h[6] << 8 | h[7]);
	rec->length = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
	if (rec->length > MRT_MAX_RECORD) {
		snprintf(err->what, sizeof(err->what), "record length %u over the %u this reader takes", rec->length,
			 MRT_MAX_RECORD);
		return -1;
	}
	r = want(in, MRT_HEADER + (size_t)rec->length, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		snprintf(err->what, sizeof(err->what), "truncated record: its body of %u bytes runs past the end",
			 rec->length);
		return -1;
	}
	const uint8_t *base = in->kind == IN_MEM ? in->mem : in->buf;
	rec->body = base + in->start + MRT_HEADER;
	in->start += MRT_HEADER + (size_t)rec->length;
	in->offset += MRT_HEADER + (uint64_t)rec->length;
	return 1;
}

/* ---- output ------------------------------------------------------------------------------ */

struct mrt_out {
	int fd;                 /* plain */
	gzFile gz;              /* or gzip */
	bool mem;               /* or memory: the buffer only grows */
	uint8_t *buf;
	size_t len, cap;
	int err;
};

int mrt_out_open(struct mrt_out **out, const char *path, bool gz)
{
	struct mrt_out *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->cap = 1u << 20;
	o->buf = malloc(o->cap);
	o->fd = -1;
	if (!o->buf) {
		free(o);
		return -ENOMEM;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = -errno;
		free(o->buf);
		free(o);
		return err;
	}
	if (gz) {
		o->gz = gzdopen(fd, "wb6");
		if (!o->gz) {
			close(fd);
			free(o->buf);
			free(o);
			return -ENOMEM;
		}
	} else {
		o->fd = fd;
	}
	*out = o;
	return 0;
}

static void flush_out(struct mrt_out *o);

/* Room for n more bytes in the buffer (flushing, or growing: in memory it
 * only grows); false if none. */
static bool room(struct mrt_out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return true;
	flush_out(o);
	if (o->len + n <= o->cap)
		return true;
	size_t cap = o->cap ? o->cap : 1u << 16;
	while (cap < o->len + n)
		cap *= 2;
	uint8_t *b = realloc(o->buf, cap);
	if (!b) {
		o->err = -ENOMEM;
		return false;
	}
	o->buf = b;
	o->cap = cap;
	return true;
}

static void flush_out(struct mrt_out *o)
{
	if (!o->len || o->err || o->mem)
		return;
	if (o->gz) {
		if (gzwrite(o->gz, o->buf, (unsigned)o->len) != (int)o->len)
			o->err = -EIO;
	} else {
		size_t off = 0;
		while (off < o->len) {
			ssize_t w = write(o->fd, o->buf + off, o->len - off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				o->err = -errno;
				break;
			}
			off += (size_t)w;
		}
	}
	o->len = 0;
}

int mrt_out_open_mem(struct mrt_out **out)
{
	struct mrt_out *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->mem = true;
	o->fd = -1;
	*out = o;
	return 0;
}

int mrt_out_append(struct mrt_out *o, const struct mrt_out *from)
{
	for (size_t off = 0; off < from->len && !o->err;) {
		size_t n = from->len - off < (1u << 20) ? from->len - off : 1u << 20;
		if (!room(o, n))
			break;
		memcpy(o->buf + o->len, from->buf + off, n);
		o->len += n;
		off += n;
	}
	return o->err;
}

int mrt_out_close(struct mrt_out *o)
{
	flush_out(o);
	int err = o->err;
	if (o->mem) {
	} else if (o->gz) {
		if (gzclose(o->gz) != Z_OK && !err)
			err = -EIO;
	} else if (o->fd >= 0 && close(o->fd) && !err) {
		err = -errno;
	}
	free(o->buf);
	free(o);
	return err;
}


static void put8(uint8_t **p, uint8_t v)
{
	*(*p)++ = v;
}

static void put16(uint8_t **p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void put32(uint8_t **p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static void header(uint8_t **p, uint32_t ts, uint16_t type, uint16_t subtype, uint32_t len)
{
	put32(p, ts);
	put16(p, type);
	put16(p, subtype);
	put32(p, len);
}

int mrt_write_peer_index(struct mrt_out *o, uint32_t ts, const struct mrt_peer_table *t)
{
	size_t vlen = strnlen(t->view, sizeof(t->view));
	size_t len = 4 + 2 + vlen + 2;
	for (unsigned i = 0; i < t->n; i++)
		len += 1 + 4 + (t->peer[i].family == AF_INET6 ? 16 : 4) + 4;
	if (t->n > 0xffff || len > MRT_MAX_RECORD)
		return o->err = -E2BIG;
	if (!room(o, MRT_HEADER + len))
		return o->err;
	uint8_t *p = o->buf + o->len;
	header(&p, ts, MRT_TABLE_DUMP_V2, MRT_TDV2_PEER_INDEX_TABLE, (uint32_t)len);
	put32(&p, t->collector_id);
	put16(&p, (uint16_t)vlen);
	memcpy(p, t->view, vlen);
	p += vlen;
	put16(&p, (uint16_t)t->n);
	for (unsigned i = 0; i < t->n; i++) {
		const struct mrt_peer *pe = &t->peer[i];
		bool v6 = pe->family == AF_INET6;
		put8(&p, (uint8_t)((v6 ? 1 : 0) | 2)); /* 4-byte AS always */
		put32(&p, pe->bgp_id);
		memcpy(p, pe->addr, v6 ? 16 : 4);
		p += v6 ? 16 : 4;
		put32(&p, pe->as);
	}
	o->len = (size_t)(p - o->buf);
	return o->err;
}

int mrt_write_rib(struct mrt_out *o, uint32_t ts, const struct mrt_rib *rib)
{
	bool v6 = rib->family == AF_INET6;
	size_t plen = (rib->len + 7u) / 8;
	size_t len = 4 + 1 + plen + 2;
	for (unsigned i = 0; i < rib->n; i++)
		len += 2 + 4 + 2 + rib->entry[i].attrs.len;
	if (rib->n > 0xffff || len > MRT_MAX_RECORD)
		return o->err = -E2BIG;
	for (unsigned i = 0; i < rib->n; i++)
		if (rib->entry[i].attrs.len > 0xffff)
			return o->err = -E2BIG;
	if (!room(o, MRT_HEADER + len))
		return o->err;
	uint8_t *p = o->buf + o->len;
	header(&p, ts, MRT_TABLE_DUMP_V2, v6 ? MRT_TDV2_RIB_IPV6_UNICAST : MRT_TDV2_RIB_IPV4_UNICAST, (uint32_t)len);
	put32(&p, rib->seq);
	put8(&p, rib->len);
	memcpy(p, rib->prefix, plen);
	p += plen;
	put16(&p, (uint16_t)rib->n);
	for (unsigned i = 0; i < rib->n; i++) {
		const struct mrt_entry *e = &rib->entry[i];
		put16(&p, (uint16_t)e->peer);
		put32(&p, e->originated);
		put16(&p, (uint16_t)e->attrs.len);
		if (e->attrs.len)
			memcpy(p, e->attrs.raw, e->attrs.len);
		p += e->attrs.len;
	}
	o->len = (size_t)(p - o->buf);
	return o->err;
}
