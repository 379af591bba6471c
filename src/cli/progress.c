/*
 * progress.c - draw the coordinator's counters.
 *
 * The percentage is of bytes (of files when there are no bytes to copy).
 * It only goes up: while the scan is still finding files the total grows,
 * so the shown value is the largest seen so far, and the line marks the
 * totals with "+" until the scan is over.  It reads 100.0% only once the
 * run is finished, never before.
 */
#include <sys/ioctl.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "progress.h"
#include "util.h"

#define RATE_SAMPLES	24	/* about 5 s of samples at 4 draws a second */

struct sample {
	double	 t;
	uint64_t bytes;
};

struct progress {
	int		mode, fd, drawn;
	double		interval, last, shown, start;
	struct sample	samples[RATE_SAMPLES];
	int		nsamples, head;
};

/*
 * Start a display of the given mode (PROG_BAR, PROG_LINE or PROG_JSON) on
 * fd.  Returns NULL for PROG_NONE: the display is off.
 */
struct progress *
progress_new(int mode, int fd, int is_tty)
{
	struct progress *p;

	(void)is_tty;
	if (mode != PROG_BAR && mode != PROG_LINE && mode != PROG_JSON)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->mode = mode;
	p->fd = fd;
	p->interval = mode == PROG_BAR ? 0.2 : 1.0;
	p->start = now_seconds();
	/* The bar shows at once; a log line only once there is news. */
	p->last = mode == PROG_BAR ? -1e9 : p->start;
	return p;
}

void
progress_free(struct progress *p)
{
	free(p);
}

double
progress_fraction(const struct counts *c)
{
	double f;

	if (c->finished)
		return 1.0;
	if (c->bytes_total > 0)
		f = (double)c->bytes_done / (double)c->bytes_total;
	else if (c->files_total > 0)
		f = (double)c->files_done / (double)c->files_total;
	else
		f = 0.0;
	return f > 1.0 ? 1.0 : f;
}

/* Human-readable bytes with binary units and three significant digits. */
void
fmt_bytes(char *buf, size_t len, double v)
{
	static const char *units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	size_t u = 0;

	if (!(v >= 0))
		v = 0;
	while (v >= 1024.0 && u + 1 < NELEM(units)) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		(void)snprintf(buf, len, "%.0f B", v);
	else if (v < 9.995)
		(void)snprintf(buf, len, "%.2f %s", v, units[u]);
	else if (v < 99.95)
		(void)snprintf(buf, len, "%.1f %s", v, units[u]);
	else
		(void)snprintf(buf, len, "%.0f %s", v, units[u]);
}

/* A count with thousands separators: 41977 -> "41,977". */
void
fmt_count(char *buf, size_t len, uint64_t v)
{
	char digits[32];
	size_t n, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%llu",
	    (unsigned long long)v);
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* Seconds as m:ss or h:mm:ss; "?" when unknown. */
void
fmt_eta(char *buf, size_t len, double s)
{
	unsigned long t;

	if (!(s >= 0) || s > 360000.0) {
		(void)snprintf(buf, len, "?");
		return;
	}
	t = (unsigned long)(s + 0.5);
	if (t >= 3600)
		(void)snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600,
		    t / 60 % 60, t % 60);
	else
		(void)snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

static double
eta_seconds(const struct counts *c, double rate)
{
	if (c->finished)
		return 0.0;
	if (!c->total_final || rate <= 0.0 || c->bytes_total < c->bytes_done)
		return -1.0;
	return (double)(c->bytes_total - c->bytes_done) / rate;
}

/* The parts every text format shares: sizes, counts, rate and ETA. */
struct parts {
	char done[24], total[24], fdone[32], ftotal[32], rate[32], eta[24];
	const char *plus;
};

static void
make_parts(struct parts *s, const struct counts *c, double rate)
{
	fmt_bytes(s->done, sizeof(s->done), (double)c->bytes_done);
	fmt_bytes(s->total, sizeof(s->total), (double)c->bytes_total);
	fmt_count(s->fdone, sizeof(s->fdone), c->files_done);
	fmt_count(s->ftotal, sizeof(s->ftotal), c->files_total);
	fmt_bytes(s->rate, sizeof(s->rate), rate);
	fmt_eta(s->eta, sizeof(s->eta), eta_seconds(c, rate));
	s->plus = c->total_final || c->finished ? "" : "+";
}

/*
 * The terminal line:
 *  42.7% [#####.....] 1.21 GiB/2.83 GiB  18,204/41,977 files  612 MiB/s  ETA 0:03
 * fraction is the value to show (already made monotonic by the caller).
 * The bar takes what is left of width columns.  Returns the length.
 */
size_t
fmt_bar_line(char *buf, size_t len, const struct counts *c, double fraction,
    double rate, double elapsed, int width)
{
	struct parts s;
	char tail[192], bar[64];
	int tlen, bw, fill;

	(void)elapsed;
	make_parts(&s, c, rate);
	tlen = snprintf(tail, sizeof(tail), "%s/%s%s  %s/%s%s files  %s/s  %s%s",
	    s.done, s.total, s.plus, s.fdone, s.ftotal, s.plus, s.rate,
	    c->total_final || c->finished ? "ETA " : "", c->total_final ||
	    c->finished ? s.eta : "scanning");
	bw = width - 8 - 3 - tlen - 1;
	if (bw > 40)
		bw = 40;
	if (bw < 10) {
		bar[0] = '\0';
	} else {
		fill = (int)(fraction * bw + 1e-9);
		bar[0] = '[';
		for (int i = 0; i < bw; i++)
			bar[1 + i] = i < fill ? '#' : '.';
		bar[bw + 1] = ']';
		bar[bw + 2] = ' ';
		bar[bw + 3] = '\0';
	}
	return (size_t)snprintf(buf, len, "%5.1f%% %s%s",
	    floor(fraction * 1000.0) / 10.0, bar, tail);
}

/* The log line of --progress=line. */
size_t
fmt_plain_line(char *buf, size_t len, const struct counts *c,
    double fraction, double rate, double elapsed)
{
	struct parts s;
	char el[24];

	make_parts(&s, c, rate);
	fmt_eta(el, sizeof(el), elapsed);
	return (size_t)snprintf(buf, len, "pcopy: %.1f%% %s/%s%s %s/%s%s files "
	    "%s/s elapsed %s ETA %s%s\n", floor(fraction * 1000.0) / 10.0,
	    s.done, s.total, s.plus, s.fdone, s.ftotal, s.plus, s.rate, el,
	    c->total_final || c->finished ? s.eta : "?",
	    c->total_final || c->finished ? "" : " (scanning)");
}

/* One JSON object of --progress=json; the fields are in pcopy(1). */
size_t
fmt_json_line(char *buf, size_t len, const struct counts *c, double fraction,
    double rate, double elapsed)
{
	double eta = eta_seconds(c, rate);
	char etas[32];

	if (eta < 0)
		(void)snprintf(etas, sizeof(etas), "null");
	else
		(void)snprintf(etas, sizeof(etas), "%.1f", eta);
	return (size_t)snprintf(buf, len, "{\"type\":\"progress\","
	    "\"time\":%.3f,\"percent\":%.1f,"
	    "\"bytes_done\":%llu,\"bytes_total\":%llu,"
	    "\"files_done\":%llu,\"files_total\":%llu,"
	    "\"dirs_done\":%llu,\"dirs_total\":%llu,"
	    "\"errors\":%llu,\"rate\":%.0f,\"eta\":%s,"
	    "\"total_final\":%s,\"finished\":%s}\n",
	    elapsed, floor(fraction * 1000.0) / 10.0,
	    (unsigned long long)c->bytes_done,
	    (unsigned long long)c->bytes_total,
	    (unsigned long long)c->files_done,
	    (unsigned long long)c->files_total,
	    (unsigned long long)c->dirs_done,
	    (unsigned long long)c->dirs_total,
	    (unsigned long long)c->errors, rate, etas,
	    c->total_final ? "true" : "false", c->finished ? "true" : "false");
}

/* Bytes per second over the last few seconds of samples. */
static double
sample_rate(struct progress *p, double t, uint64_t bytes)
{
	struct sample *oldest;
	int tail;

	p->samples[p->head] = (struct sample){ t, bytes };
	p->head = (p->head + 1) % RATE_SAMPLES;
	if (p->nsamples < RATE_SAMPLES)
		p->nsamples++;
	tail = (p->head - p->nsamples + RATE_SAMPLES) % RATE_SAMPLES;
	oldest = &p->samples[tail];
	if (p->nsamples < 2 || t - oldest->t < 0.05)
		return t - p->start > 0.05 ?
		    (double)bytes / (t - p->start) : 0.0;
	/* Bytes can go back (a retried task's): never a negative rate. */
	if (bytes < oldest->bytes)
		return 0.0;
	return (double)(bytes - oldest->bytes) / (t - oldest->t);
}

static int
term_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static void
draw(struct progress *p, const struct counts *c, double t)
{
	char line[512], out[600];
	double f, rate, elapsed = t - p->start;
	size_t n;

	f = progress_fraction(c);
	if (!c->finished && f > 0.999)
		f = 0.999;
	if (f > p->shown || c->finished)
		p->shown = f;
	rate = c->finished && elapsed > 0 ? (double)c->bytes_done / elapsed :
	    sample_rate(p, t, c->bytes_done);
	switch (p->mode) {
	case PROG_BAR:
		fmt_bar_line(line, sizeof(line), c, p->shown, rate, elapsed,
		    term_width(p->fd) - 1);
		n = (size_t)snprintf(out, sizeof(out), "\r%s\033[K%s", line,
		    c->finished ? "\n" : "");
		p->drawn = !c->finished;
		break;
	case PROG_LINE:
		n = fmt_plain_line(out, sizeof(out), c, p->shown, rate,
		    elapsed);
		break;
	default:
		n = fmt_json_line(out, sizeof(out), c, p->shown, rate,
		    elapsed);
		break;
	}
	(void)write_full(p->fd, out, MIN(n, sizeof(out) - 1));
	p->last = t;
}

/* Redraw if the mode's interval has passed since the last drawing. */
void
progress_update(struct progress *p, const struct counts *c, double t)
{
	if (p == NULL || t - p->last < p->interval)
		return;
	draw(p, c, t);
}

/* The last drawing: 100.0% and, for the bar, the end of the line. */
void
progress_finish(struct progress *p, const struct counts *c, double t)
{
	if (p == NULL)
		return;
	draw(p, c, t);
}

/*
 * Clear the bar so a message can be printed; the next update draws it
 * again.  Takes void * so it can be installed with msg_set_hook().
 */
void
progress_clear(void *arg)
{
	struct progress *p = arg;
	static const char clear[] = "\r\033[K";

	if (p == NULL || !p->drawn)
		return;
	(void)write_full(p->fd, clear, sizeof(clear) - 1);
	p->drawn = 0;
	p->last = -1e9;
}
