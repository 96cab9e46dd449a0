// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 CMOS RTC at ports 0x70 (index) and 0x71 (data): 128 bytes
 * of CMOS, of which the first ten and 0x32 (century) are the clock.
 *
 * The clock is the host's real time (ktime_get_real) at the moment of each
 * read, plus a per-domain offset in seconds that changes when the guest
 * writes a time register. Register B selects BCD or binary (DM) and 12- or
 * 24-hour (bit 1) for reads and writes; its SET bit freezes the clock
 * until cleared, so that a guest can write all fields of a new time. The
 * day of the week is derived from the date: writes to it are ignored.
 *
 * Register A's update-in-progress bit is set during the last 244 us of
 * each second, when a real RTC announces its update. Because each read
 * computes the time afresh, a reader that checks the seconds before and
 * after reading the others (Linux's mc146818_avoid_UIP does) never mixes
 * two seconds. Register C reads 0 (no interrupt flags: the periodic,
 * alarm and update interrupts are not emulated, IRQ 8 never rises),
 * register D reads 0x80 (valid RAM and time). Alarm registers and every
 * other byte, 0x0f (shutdown status) included, are plain storage. Bit 7
 * of the index (NMI mask) is ignored; the index port reads 0xff (it is
 * write-only on PCs).
 */
#include <linux/bcd.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/time.h>
#include <linux/timekeeping.h>

#include "tandem_hv.h"

#define RTC_PORT	0x70
#define RTC_NPORTS	2
#define RTC_CMOS_SIZE	128

#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MON		0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define RTC_A_UIP	0x80
#define RTC_B_SET	0x80
#define RTC_B_DM_BINARY	0x04
#define RTC_B_24H	0x02
#define RTC_D_VRT	0x80
#define RTC_HOUR_PM	0x80

/* A real RTC raises UIP this long before each update. */
#define RTC_UIP_NS	244000

/**
 * struct tandem_rtc - a domain's CMOS and clock
 * @lock: vCPUs access it concurrently
 * @index: the selected byte
 * @cmos: storage (the time registers' bytes are unused)
 * @offset: guest time minus host real time, in seconds
 * @frozen: register B's SET bit is on: the clock stands at @frozen_time
 * @frozen_time: guest time while frozen
 */
struct tandem_rtc {
	spinlock_t lock; /* the whole state */
	u8 index;
	u8 cmos[RTC_CMOS_SIZE];
	s64 offset;
	bool frozen;
	time64_t frozen_time;
};

static time64_t rtc_now(const struct tandem_rtc *rtc)
{
	if (rtc->frozen)
		return rtc->frozen_time;
	return ktime_get_real_seconds() + rtc->offset;
}

static u8 rtc_encode(const struct tandem_rtc *rtc, unsigned int v)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY ? v : bin2bcd(v);
}

static unsigned int rtc_decode(const struct tandem_rtc *rtc, u8 v)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY ? v : bcd2bin(v);
}

static bool rtc_is_time_reg(u8 reg)
{
	return reg <= RTC_YEAR || reg == RTC_CENTURY;
}

static u8 rtc_time_read(const struct tandem_rtc *rtc, u8 reg)
{
	long year;
	struct tm tm;
	unsigned int h;

	time64_to_tm(rtc_now(rtc), 0, &tm);
	year = tm.tm_year + 1900;
	switch (reg) {
	case RTC_SEC:
		return rtc_encode(rtc, tm.tm_sec);
	case RTC_MIN:
		return rtc_encode(rtc, tm.tm_min);
	case RTC_HOUR:
		if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
			return rtc_encode(rtc, tm.tm_hour);
		h = tm.tm_hour % 12 ?: 12;
		return rtc_encode(rtc, h) | (tm.tm_hour >= 12 ? RTC_HOUR_PM : 0);
	case RTC_WDAY:
		return rtc_encode(rtc, tm.tm_wday + 1);
	case RTC_MDAY:
		return rtc_encode(rtc, tm.tm_mday);
	case RTC_MON:
		return rtc_encode(rtc, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(rtc, year % 100);
	case RTC_CENTURY:
		return rtc_encode(rtc, year / 100);
	}
	/* The alarm registers. */
	return rtc->cmos[reg];
}

/* The guest sets one field of the time: move the clock accordingly. */
static void rtc_time_write(struct tandem_rtc *rtc, u8 reg, u8 val)
{
	time64_t now = rtc_now(rtc), t;
	unsigned int v;
	long year;
	struct tm tm;

	if (reg == 1 || reg == 3 || reg == 5) {
		rtc->cmos[reg] = val;	/* alarms */
		return;
	}
	time64_to_tm(now, 0, &tm);
	year = tm.tm_year + 1900;
	v = rtc_decode(rtc, reg == RTC_HOUR ? val & ~RTC_HOUR_PM : val);
	switch (reg) {
	case RTC_SEC:
		tm.tm_sec = v;
		break;
	case RTC_MIN:
		tm.tm_min = v;
		break;
	case RTC_HOUR:
		if (!(rtc->cmos[RTC_REG_B] & RTC_B_24H))
			v = v % 12 + (val & RTC_HOUR_PM ? 12 : 0);
		tm.tm_hour = v;
		break;
	case RTC_MDAY:
		tm.tm_mday = v;
		break;
	case RTC_MON:
		tm.tm_mon = v - 1;
		break;
	case RTC_YEAR:
		year = year / 100 * 100 + v;
		break;
	case RTC_CENTURY:
		year = v * 100 + year % 100;
		break;
	default:
		return;	/* day of the week: derived from the date */
	}
	t = mktime64(year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		     tm.tm_sec);
	if (rtc->frozen)
		rtc->frozen_time = t;
	else
		rtc->offset += t - now;
}

static u64 rtc_read(struct tandem_vcpu *vcpu, u64 addr, int size)
{
	struct tandem_rtc *rtc = vcpu->dom->rtc;
	struct timespec64 ts;
	u8 val, reg;

	if (addr == RTC_PORT)
		return 0xff;
	spin_lock(&rtc->lock);
	reg = rtc->index;
	if (rtc_is_time_reg(reg)) {
		val = rtc_time_read(rtc, reg);
	} else {
		switch (reg) {
		case RTC_REG_A:
			val = rtc->cmos[reg] & ~RTC_A_UIP;
			ktime_get_real_ts64(&ts);
			if (!rtc->frozen && ts.tv_nsec >= NSEC_PER_SEC - RTC_UIP_NS)
				val |= RTC_A_UIP;
			break;
		case RTC_REG_C:
			val = 0;
			break;
		case RTC_REG_D:
			val = RTC_D_VRT;
			break;
		default:
			val = rtc->cmos[reg];
		}
	}
	spin_unlock(&rtc->lock);
	return val;
}

static void rtc_write(struct tandem_vcpu *vcpu, u64 addr, int size, u64 v)
{
	struct tandem_rtc *rtc = vcpu->dom->rtc;
	u8 val = v, reg;

	spin_lock(&rtc->lock);
	if (addr == RTC_PORT) {
		rtc->index = val & 0x7f;	/* bit 7: NMI mask, ignored */
		goto out;
	}
	reg = rtc->index;
	if (rtc_is_time_reg(reg)) {
		rtc_time_write(rtc, reg, val);
		goto out;
	}
	switch (reg) {
	case RTC_REG_A:
		rtc->cmos[reg] = val & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		if ((val & RTC_B_SET) && !rtc->frozen) {
			rtc->frozen_time = rtc_now(rtc);
			rtc->frozen = true;
		} else if (!(val & RTC_B_SET) && rtc->frozen) {
			rtc->offset = rtc->frozen_time - ktime_get_real_seconds();
			rtc->frozen = false;
		}
		rtc->cmos[reg] = val;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;	/* read-only */
	default:
		rtc->cmos[reg] = val;
	}
out:
	spin_unlock(&rtc->lock);
}

static int rtc_create(struct tandem_domain *dom)
{
	struct tandem_rtc *rtc = kzalloc(sizeof(*rtc), GFP_KERNEL_ACCOUNT);

	if (!rtc)
		return -ENOMEM;
	spin_lock_init(&rtc->lock);
	rtc->cmos[RTC_REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	rtc->cmos[RTC_REG_B] = RTC_B_24H;	/* BCD, 24-hour */
	dom->rtc = rtc;
	return 0;
}

static void rtc_destroy(struct tandem_domain *dom)
{
	kfree(dom->rtc);
	dom->rtc = NULL;
}

const struct tandem_device tandem_rtc_dev = {
	.name = "rtc",
	.port = RTC_PORT,
	.nports = RTC_NPORTS,
	.read = rtc_read,
	.write = rtc_write,
	.create = rtc_create,
	.destroy = rtc_destroy,
};
