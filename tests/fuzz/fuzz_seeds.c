/*
 * fuzz_seeds OUTDIR FILE.at...: turns transcripts into seed inputs, one
 * folder per harness under OUTDIR (the folders must exist):
 *   fuzz_transcript/  the file itself;
 *   fuzz_reader/      every modem byte, in order;
 *   fuzz_urc/, fuzz_args/  each modem line alone, with a zero trailer;
 *   fuzz_session/     the modem bytes as one answer per command, followed
 *                     by operations that register, queue two uplinks and
 *                     poll (the encoding of fuzz_session.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "qlwm2m/transcript.h"

#define LINE_SEEDS_MAX 200
#define SESSION_POLLS  300
#define OP_POLL_1S     0x18u /* poll, budget index 3 (1000 ms) */
#define OP_QUEUE_NON   0x04u
#define OP_QUEUE_CON   0x1Cu
#define GOALS_ALL      0x07u
#define OP_DELAY       16u /* template: the next bytes come arg * 64 ms later */

typedef struct buf {
    uint8_t *data;
    size_t len, cap;
} buf;

static void put(buf *b, const void *data, size_t len)
{
    if (len == 0)
        return;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL) {
            perror("fuzz_seeds");
            exit(1);
        }
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static void put_byte(buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static int write_file(const char *dir, const char *harness, const char *name, const buf *b)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/%s", dir, harness, name);
    f = fopen(path, "wb");
    if (f == NULL || (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len) || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static bool is_recv(const qlw_ts_step *s)
{
    return s->kind == QLW_TS_RECV || s->kind == QLW_TS_RECV_BYTES;
}

/* One answer: raw records of at most FZ_REC_LEN bytes, delays as templates. */
static void put_answer(buf *b, const qlw_transcript *ts, size_t *i)
{
    const qlw_ts_step *s;

    for (; (s = qlw_transcript_step(ts, *i)) != NULL; ++*i) {
        if (s->kind == QLW_TS_SEND || s->kind == QLW_TS_SEND_BYTES)
            break;
        if (s->kind == QLW_TS_DELAY) {
            uint32_t arg = s->delay_ms / 64u;
            put_byte(b, (uint8_t)(OP_DELAY | FZ_REC_MORE));
            put_byte(b, (uint8_t)(arg > 255 ? 255 : arg));
        } else if (is_recv(s)) {
            for (size_t off = 0; off < s->len; off += FZ_REC_LEN) {
                size_t n = s->len - off < FZ_REC_LEN ? s->len - off : FZ_REC_LEN;
                put_byte(b, (uint8_t)(FZ_REC_RAW | FZ_REC_MORE | n));
                put(b, s->data + off, n);
            }
        }
    }
    put_byte(b, FZ_REC_RAW); /* an empty record ends the answer */
}

static buf session_seed(const qlw_transcript *ts)
{
    static const uint8_t tail[] = {3, OP_QUEUE_NON, 3, OP_QUEUE_CON, GOALS_ALL};
    buf b = {NULL, 0, 0};
    size_t i = 0;

    put_answer(&b, ts, &i);
    while (i < qlw_transcript_count(ts)) {
        i++; /* the command */
        put_answer(&b, ts, &i);
    }
    for (int k = 0; k < SESSION_POLLS; k++)
        put_byte(&b, OP_POLL_1S);
    put(&b, tail, sizeof(tail));
    return b;
}

static int line_seeds(const char *dir, const char *base, const qlw_transcript *ts)
{
    static const uint8_t trailer[FZ_TRAILER] = {0};
    int rc = 0, n = 0;

    for (size_t i = 0; i < qlw_transcript_count(ts) && n < LINE_SEEDS_MAX; i++) {
        const qlw_ts_step *s = qlw_transcript_step(ts, i);
        buf b = {NULL, 0, 0};
        char name[600];

        if (!is_recv(s) || s->len <= 2)
            continue;
        put(&b, s->data, s->kind == QLW_TS_RECV ? s->len - 2 : s->len);
        put(&b, trailer, sizeof(trailer));
        snprintf(name, sizeof(name), "%s-%03d", base, n++);
        rc |= write_file(dir, "fuzz_urc", name, &b);
        rc |= write_file(dir, "fuzz_args", name, &b);
        free(b.data);
    }
    return rc;
}

static int seeds_of(const char *dir, const char *path)
{
    char err[256], base[512];
    const char *slash = strrchr(path, '/');
    qlw_transcript *ts;
    buf modem = {NULL, 0, 0}, text = {NULL, 0, 0}, session;
    FILE *f;
    int rc;

    snprintf(base, sizeof(base), "%s", slash ? slash + 1 : path);
    if (qlw_transcript_load(&ts, path, err, sizeof(err)) != QLW_OK) {
        fprintf(stderr, "fuzz_seeds: %s: %s\n", path, err);
        return 1;
    }
    f = fopen(path, "rb");
    for (int c; f != NULL && (c = fgetc(f)) != EOF;)
        put_byte(&text, (uint8_t)c);
    if (f != NULL)
        fclose(f);
    for (size_t i = 0; i < qlw_transcript_count(ts); i++) {
        const qlw_ts_step *s = qlw_transcript_step(ts, i);
        if (is_recv(s))
            put(&modem, s->data, s->len);
    }
    session = session_seed(ts);
    rc = write_file(dir, "fuzz_transcript", base, &text) |
         write_file(dir, "fuzz_reader", base, &modem) |
         write_file(dir, "fuzz_session", base, &session) | line_seeds(dir, base, ts);
    free(text.data);
    free(modem.data);
    free(session.data);
    qlw_transcript_free(ts);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;

    if (argc < 3) {
        fputs("usage: fuzz_seeds OUTDIR FILE.at...\n", stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++)
        rc |= seeds_of(argv[1], argv[i]);
    return rc;
}
