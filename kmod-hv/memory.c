// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: host pages backing guest-physical addresses 0 to size.
 *
 * RAM is allocated in 2 MiB chunks (one order-9 allocation each) where the
 * buddy allocator has them, so that nested paging can map it with large
 * pages, and falls back to 4 KiB pages. Every page is zeroed and charged to
 * the creator's memory cgroup. No allocation may invoke the OOM killer: a
 * guest that does not fit is refused with ENOMEM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "tandem_hv.h"
#include "virtqueue.h"

#define TANDEM_HUGE_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define TANDEM_HUGE_PAGES	BIT(TANDEM_HUGE_ORDER)

/* Pages held by all domains, for GET_INFO and leak checks. */
static atomic_long_t tandem_mem_pages = ATOMIC_LONG_INIT(0);

/**
 * tandem_mem_allocated() - bytes of host memory held as guest RAM
 *
 * Return: the total over all domains.
 */
u64 tandem_mem_allocated(void)
{
	return (u64)atomic_long_read(&tandem_mem_pages) << PAGE_SHIFT;
}

/* Pages held as boot-image copies by all domains, for GET_INFO. */
static atomic_long_t tandem_image_nr = ATOMIC_LONG_INIT(0);

/**
 * tandem_image_pages() - pages held as copies of loaded images
 *
 * Return: the total over all domains.
 */
u64 tandem_image_pages(void)
{
	return atomic_long_read(&tandem_image_nr);
}

/* Nested page-table pages held by all domains, for GET_INFO. */
static atomic_long_t tandem_pt_nr = ATOMIC_LONG_INIT(0);

/**
 * tandem_pt_page_alloc() - a zeroed page for a nested page table
 *
 * Charged to the caller's memory cgroup and counted in tandem_pt_pages().
 *
 * Return: its kernel address, or %NULL.
 */
u64 *tandem_pt_page_alloc(void)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table)
		atomic_long_inc(&tandem_pt_nr);
	return table;
}

/**
 * tandem_pt_page_free() - free a page of tandem_pt_page_alloc()
 * @table: the page, or %NULL
 */
void tandem_pt_page_free(u64 *table)
{
	if (!table)
		return;
	free_page((unsigned long)table);
	atomic_long_dec(&tandem_pt_nr);
}

/**
 * tandem_pt_pages() - nested page-table pages held now
 *
 * Return: the total over all domains.
 */
u64 tandem_pt_pages(void)
{
	return atomic_long_read(&tandem_pt_nr);
}

static void tandem_mem_release_pages(struct tandem_mem *mem)
{
	unsigned long i = 0;

	while (i < mem->nr_pages) {
		if (!mem->pages[i]) {
			i++;
			continue;
		}
		if (!(i % TANDEM_HUGE_PAGES) &&
		    test_bit(i / TANDEM_HUGE_PAGES, mem->huge)) {
			__free_pages(mem->pages[i], TANDEM_HUGE_ORDER);
			i += TANDEM_HUGE_PAGES;
		} else {
			__free_page(mem->pages[i]);
			i++;
		}
	}
}

/**
 * tandem_mem_alloc() - allocate zeroed guest RAM of @size bytes
 * @mem: to fill in
 * @size: bytes, a multiple of %PAGE_SIZE
 * @memcg: memory cgroup to charge (%NULL: the caller's)
 *
 * Return: 0, or -ENOMEM with nothing left allocated.
 */
int tandem_mem_alloc(struct tandem_mem *mem, u64 size, struct mem_cgroup *memcg)
{
	/* Large chunks are an optimisation: give up on them quickly. */
	const gfp_t huge_gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN |
			       __GFP_NORETRY;
	/* RETRY_MAYFAIL: fail instead of calling the OOM killer. */
	const gfp_t small_gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN |
				__GFP_RETRY_MAYFAIL;
	struct mem_cgroup *old_memcg = NULL;
	unsigned long i = 0, nr_chunks;

	memset(mem, 0, sizeof(*mem));
	if (!size || !PAGE_ALIGNED(size) || size > TANDEM_MEM_MAX)
		return -EINVAL;
	mem->size = size;
	mem->nr_pages = size >> PAGE_SHIFT;
	nr_chunks = DIV_ROUND_UP(mem->nr_pages, TANDEM_HUGE_PAGES);

	mem->pages = kvcalloc(mem->nr_pages, sizeof(*mem->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	mem->huge = bitmap_zalloc(nr_chunks, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	mem->loaded = bitmap_zalloc(mem->nr_pages,
				    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!mem->pages || !mem->huge || !mem->loaded)
		goto err_free;

	if (memcg)
		old_memcg = set_active_memcg(memcg);
	while (i < mem->nr_pages) {
		struct page *page = NULL;
		unsigned long j;

		if (mem->nr_pages - i >= TANDEM_HUGE_PAGES)
			page = alloc_pages(huge_gfp, TANDEM_HUGE_ORDER);
		if (page) {
			for (j = 0; j < TANDEM_HUGE_PAGES; j++)
				mem->pages[i + j] = nth_page(page, j);
			set_bit(i / TANDEM_HUGE_PAGES, mem->huge);
			mem->chunks_2m++;
			i += TANDEM_HUGE_PAGES;
			continue;
		}
		page = alloc_page(small_gfp);
		if (!page)
			break;
		mem->pages[i++] = page;
		mem->pages_4k++;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	if (memcg)
		set_active_memcg(old_memcg);
	if (i < mem->nr_pages)
		goto err_release;

	atomic_long_add(mem->nr_pages, &tandem_mem_pages);
	return 0;

err_release:
	tandem_mem_release_pages(mem);
err_free:
	kvfree(mem->pages);
	bitmap_free(mem->huge);
	bitmap_free(mem->loaded);
	memset(mem, 0, sizeof(*mem));
	return -ENOMEM;
}

static void tandem_mem_image_free(struct tandem_mem *mem)
{
	unsigned long i;

	if (!mem->image)
		return;
	for (i = 0; i < mem->nr_pages; i++)
		if (mem->image[i])
			__free_page(mem->image[i]);
	atomic_long_sub(mem->image_pages, &tandem_image_nr);
	kvfree(mem->image);
	mem->image = NULL;
	mem->image_pages = 0;
}

/**
 * tandem_mem_free() - return guest RAM to the host
 * @mem: allocated by tandem_mem_alloc(), or zeroed
 */
void tandem_mem_free(struct tandem_mem *mem)
{
	if (!mem->pages)
		return;
	tandem_mem_image_free(mem);
	tandem_mem_release_pages(mem);
	atomic_long_sub(mem->nr_pages, &tandem_mem_pages);
	kvfree(mem->pages);
	bitmap_free(mem->huge);
	bitmap_free(mem->loaded);
	memset(mem, 0, sizeof(*mem));
}

/**
 * tandem_mem_range_ok() - whether [@gpa, @gpa + @len) lies inside RAM
 * @mem: guest RAM
 * @gpa: first byte
 * @len: length in bytes
 *
 * Return: true when the whole range is RAM (and does not wrap).
 */
bool tandem_mem_range_ok(const struct tandem_mem *mem, u64 gpa, u64 len)
{
	return gpa < mem->size && len <= mem->size - gpa;
}

/*
 * Copy between a kernel buffer and guest RAM, one page at a time; the
 * caller has checked the range with tandem_mem_range_ok().
 */
static void tandem_mem_copy(struct tandem_mem *mem, u64 gpa, void *buf,
			    size_t len, bool to_guest)
{
	while (len) {
		size_t off = offset_in_page(gpa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *va = kmap_local_page(mem->pages[gpa >> PAGE_SHIFT]);

		if (to_guest)
			memcpy(va + off, buf, n);
		else
			memcpy(buf, va + off, n);
		kunmap_local(va);
		gpa += n;
		buf += n;
		len -= n;
	}
}

/**
 * tandem_mem_write() - copy @len bytes from @src to guest RAM at @gpa
 * @mem: guest RAM
 * @gpa: destination, checked with tandem_mem_range_ok()
 * @src: source
 * @len: bytes
 */
void tandem_mem_write(struct tandem_mem *mem, u64 gpa, const void *src,
		      size_t len)
{
	tandem_mem_copy(mem, gpa, (void *)src, len, true);
}

/**
 * tandem_mem_read() - copy @len bytes of guest RAM at @gpa to @dst
 * @mem: guest RAM
 * @gpa: source, checked with tandem_mem_range_ok()
 * @dst: destination
 * @len: bytes
 */
void tandem_mem_read(struct tandem_mem *mem, u64 gpa, void *dst, size_t len)
{
	tandem_mem_copy(mem, gpa, dst, len, false);
}

/**
 * tandem_mem_load() - tandem_mem_write() for the domain builder: the pages
 * written are part of the boot image that a restart puts back
 * @mem: guest RAM
 * @gpa: destination, checked with tandem_mem_range_ok()
 * @src: source
 * @len: bytes, at least 1
 */
void tandem_mem_load(struct tandem_mem *mem, u64 gpa, const void *src,
		     size_t len)
{
	unsigned long first = gpa >> PAGE_SHIFT;
	unsigned long last = (gpa + len - 1) >> PAGE_SHIFT;

	tandem_mem_copy(mem, gpa, (void *)src, len, true);
	bitmap_set(mem->loaded, first, last - first + 1);
}

/**
 * tandem_mem_snapshot() - keep a copy of the pages the builder loaded
 * @mem: guest RAM, before its first start
 * @memcg: memory cgroup to charge (the domain's creator)
 *
 * The copy costs as much memory as the loaded pages (kernel and initrd for
 * a Linux guest); it is what makes a restart a real reboot, since a
 * running guest overwrites its own image. An earlier copy is replaced.
 *
 * Return: 0, or -ENOMEM with no copy kept.
 */
int tandem_mem_snapshot(struct tandem_mem *mem, struct mem_cgroup *memcg)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
			  __GFP_RETRY_MAYFAIL;
	struct mem_cgroup *old_memcg = NULL;
	unsigned long i;
	int err = 0;

	tandem_mem_image_free(mem);
	mem->image = kvcalloc(mem->nr_pages, sizeof(*mem->image), gfp);
	if (!mem->image)
		return -ENOMEM;
	if (memcg)
		old_memcg = set_active_memcg(memcg);
	for_each_set_bit(i, mem->loaded, mem->nr_pages) {
		struct page *page = alloc_page(gfp);

		if (!page) {
			err = -ENOMEM;
			break;
		}
		copy_highpage(page, mem->pages[i]);
		mem->image[i] = page;
		mem->image_pages++;
		atomic_long_inc(&tandem_image_nr);
		cond_resched();
	}
	if (memcg)
		set_active_memcg(old_memcg);
	if (err)
		tandem_mem_image_free(mem);
	return err;
}

/**
 * tandem_mem_restore() - put RAM back as it was at the snapshot: the loaded
 * pages from the copy, every other page zeroed
 * @mem: guest RAM; no vCPU may be running
 */
void tandem_mem_restore(struct tandem_mem *mem)
{
	unsigned long i;

	for (i = 0; i < mem->nr_pages; i++) {
		if (mem->image && mem->image[i])
			copy_highpage(mem->pages[i], mem->image[i]);
		else
			clear_highpage(mem->pages[i]);
		if (!(i % 512))
			cond_resched();
	}
}
