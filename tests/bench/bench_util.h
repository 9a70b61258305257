/* Small helpers shared by the benchmark programs: clocks, statistics, output. */
#ifndef QLW_BENCH_UTIL_H
#define QLW_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Keeps a function out of line so that callgrind can count it alone (--toggle-collect). */
#if defined(__GNUC__) || defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline))
#else
#define BENCH_NOINLINE
#endif

static inline uint64_t bench_clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t bench_now_ns(void)
{
    return bench_clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t bench_thread_cpu_ns(void)
{
    return bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static inline uint64_t bench_process_cpu_ns(void)
{
    return bench_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* Peak resident set size of the process, KiB. */
static inline long bench_peak_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Current resident set size, KiB (from /proc; 0 where it is missing). */
static inline long bench_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;

    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * 4;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* The p-th percentile (0..100) of v[0..n), sorting v in place; 0 when n is 0. */
static inline uint64_t bench_percentile(uint64_t *v, size_t n, double p)
{
    size_t idx;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), bench_cmp_u64);
    idx = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[idx < n ? idx : n - 1];
}

/* A deterministic generator (xorshift32): the same stream on every run. */
static inline uint32_t bench_rand(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* True with probability per_mille / 1000. */
static inline int bench_chance(uint32_t *state, uint32_t per_mille)
{
    return bench_rand(state) % 1000u < per_mille;
}

/* Parses "--name=value" style numbers; returns dflt when the option is absent. */
static inline long bench_opt(int argc, char **argv, const char *name, long dflt)
{
    size_t n = strlen(name);

    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
            return strtol(argv[i] + n + 1, NULL, 10);
    }
    return dflt;
}

static inline int bench_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return 1;
    }
    return 0;
}

#endif
