#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "die.h"

#define BASE 1000000000u

static const unsigned powers_of_ten[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
};

static void reserve(struct decimal *d, size_t n)
{
	if (n <= d->cap)
		return;
	d->cap = n < 4 ? 4 : n * 2;
	d->limb = xrealloc(d->limb, d->cap * sizeof(*d->limb));
}

static void trim(struct decimal *d)
{
	while (d->n && !d->limb[d->n - 1])
		d->n--;
	if (!d->n)
		d->neg = false;
}

/* D = D * MUL + ADD, with MUL <= 10^9 and ADD < 10^9. */
static void mul_add(struct decimal *d, unsigned mul, unsigned add)
{
	unsigned long long carry = add;

	for (size_t i = 0; i < d->n; i++) {
		carry += (unsigned long long)d->limb[i] * mul;
		d->limb[i] = (unsigned)(carry % BASE);
		carry /= BASE;
	}
	while (carry) {
		reserve(d, d->n + 1);
		d->limb[d->n++] = (unsigned)(carry % BASE);
		carry /= BASE;
	}
}

/* Raise D's scale to SCALE (>= its own) without changing its value. */
static void rescale(struct decimal *d, int scale)
{
	int diff = scale - d->scale;

	for (; d->n && diff >= 9; diff -= 9)
		mul_add(d, BASE, 0);
	if (d->n && diff > 0)
		mul_add(d, powers_of_ten[diff], 0);
	d->scale = scale;
}

static int mag_cmp(const struct decimal *a, const struct decimal *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (size_t i = a->n; i-- > 0;)
		if (a->limb[i] != b->limb[i])
			return a->limb[i] < b->limb[i] ? -1 : 1;
	return 0;
}

/* |A| += |B| */
static void mag_add(struct decimal *a, const struct decimal *b)
{
	size_t n = a->n > b->n ? a->n : b->n;
	unsigned carry = 0;

	reserve(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned long long s = carry;
		s += i < a->n ? a->limb[i] : 0;
		s += i < b->n ? b->limb[i] : 0;
		a->limb[i] = (unsigned)(s % BASE);
		carry = (unsigned)(s / BASE);
	}
	a->n = n;
	if (carry)
		a->limb[a->n++] = carry;
}

/* |A| = |BIG| - |SMALL|, where |BIG| >= |SMALL|; A may be either. */
static void mag_sub(struct decimal *a, const struct decimal *big,
		    const struct decimal *small)
{
	size_t n = big->n;
	long long borrow = 0;

	reserve(a, n);
	for (size_t i = 0; i < n; i++) {
		long long v = (long long)big->limb[i] - borrow -
			(i < small->n ? (long long)small->limb[i] : 0);
		borrow = v < 0;
		a->limb[i] = (unsigned)(v < 0 ? v + BASE : v);
	}
	a->n = n;
}

int decimal_parse(struct decimal *d, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *ip, *fp = NULL;
	size_t int_len, frac_len = 0;
	long exp = 0, scale;
	bool neg = false;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (ip = p; p < end && *p >= '0' && *p <= '9'; p++)
		;
	int_len = (size_t)(p - ip);
	if (p < end && *p == '.') {
		for (fp = ++p; p < end && *p >= '0' && *p <= '9'; p++)
			;
		frac_len = (size_t)(p - fp);
	}
	if (int_len + frac_len == 0)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool exp_neg = false;
		if (++p < end && (*p == '+' || *p == '-'))
			exp_neg = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (exp > DECIMAL_MAX_DIGITS * 10)
				return -1;
			exp = exp * 10 + (*p - '0');
		}
		if (exp_neg)
			exp = -exp;
	}
	if (p != end)
		return -1;
	scale = (long)frac_len - exp;
	if (scale > DECIMAL_MAX_SCALE ||
	    (long)(int_len + frac_len) + (scale < 0 ? -scale : 0) > DECIMAL_MAX_DIGITS)
		return -1;

	/* Nine digits at a time into the magnitude. */
	unsigned chunk = 0;
	int k = 0;
	d->n = 0;
	for (size_t i = 0; i < int_len + frac_len; i++) {
		chunk = chunk * 10 + (unsigned)((i < int_len ? ip[i] : fp[i - int_len]) - '0');
		if (++k == 9) {
			mul_add(d, BASE, chunk);
			chunk = 0;
			k = 0;
		}
	}
	if (k)
		mul_add(d, powers_of_ten[k], chunk);
	d->scale = (int)scale;
	if (scale < 0)
		rescale(d, 0);
	d->neg = neg;
	trim(d);
	return 0;
}

void decimal_add(struct decimal *acc, struct decimal *x)
{
	if (x->scale > acc->scale)
		rescale(acc, x->scale);
	else if (acc->scale > x->scale)
		rescale(x, acc->scale);
	if (!x->n)
		return;
	if (acc->neg == x->neg || !acc->n) {
		if (!acc->n)
			acc->neg = x->neg;
		mag_add(acc, x);
	} else if (mag_cmp(acc, x) >= 0) {
		mag_sub(acc, acc, x);
	} else {
		mag_sub(acc, x, acc);
		acc->neg = x->neg;
	}
	trim(acc);
}

int decimal_cmp(struct decimal *a, struct decimal *b)
{
	int c;

	if (a->scale < b->scale)
		rescale(a, b->scale);
	else if (b->scale < a->scale)
		rescale(b, a->scale);
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	c = mag_cmp(a, b);
	return a->neg ? -c : c;
}

static void insert(struct buf *out, size_t pos, char c, size_t count)
{
	buf_grow(out, count);
	memmove(out->data + pos + count, out->data + pos, out->len - pos + 1);
	memset(out->data + pos, c, count);
	out->len += count;
}

void decimal_format(const struct decimal *d, struct buf *out)
{
	size_t start = out->len, digits;

	if (!d->n)
		buf_addc(out, '0');
	else
		buf_printf(out, "%u", d->limb[d->n - 1]);
	for (size_t i = d->n - (d->n > 0); i-- > 0;)
		buf_printf(out, "%09u", d->limb[i]);
	digits = out->len - start;
	if (d->scale > 0) {
		size_t scale = (size_t)d->scale;
		if (digits <= scale)
			insert(out, start, '0', scale + 1 - digits);
		insert(out, out->len - scale, '.', 1);
	}
	if (d->neg)
		insert(out, start, '-', 1);
}

void decimal_format_quotient(const struct decimal *d, unsigned long long divisor,
			     int extra, struct buf *out)
{
	struct decimal q = DECIMAL_INIT;
	unsigned __int128 rem = 0;

	decimal_copy(&q, d);
	rescale(&q, d->scale + extra);
	for (size_t i = q.n; i-- > 0;) {
		unsigned __int128 cur = rem * BASE + q.limb[i];
		q.limb[i] = (unsigned)(cur / divisor);
		rem = cur % divisor;
	}
	if (rem * 2 >= divisor)
		mul_add(&q, 1, 1);
	trim(&q);
	decimal_format(&q, out);
	decimal_free(&q);
}

void decimal_copy(struct decimal *dst, const struct decimal *src)
{
	reserve(dst, src->n);
	if (src->n)
		memcpy(dst->limb, src->limb, src->n * sizeof(*src->limb));
	dst->n = src->n;
	dst->scale = src->scale;
	dst->neg = src->neg;
}

void decimal_free(struct decimal *d)
{
	free(d->limb);
	*d = (struct decimal)DECIMAL_INIT;
}
