/* Cortex-M4 startup: the vector table, the reset handler (copies .data from flash, zeroes
 * .bss, paints the stack for its high-water mark, runs main, exits through semihosting) and a
 * fault handler that names the fault on the console rather than hanging. */
#include <stdint.h>
#include <string.h>
#include "semihosting.h"

extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end;
extern uint32_t __stack_bottom, __stack_top;
int main(void);

#define STACK_PAINT 0xC0DEFACEu

void reset_handler(void);
static void fault_handler(void);
static void default_handler(void) { sh_write0("firmware: unexpected interrupt\n"); sh_exit(3); }

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack_top,      /* initial SP */
    reset_handler,
    default_handler,   /* NMI */
    fault_handler,     /* HardFault */
    fault_handler,     /* MemManage */
    fault_handler,     /* BusFault */
    fault_handler,     /* UsageFault */
    0, 0, 0, 0,
    default_handler,   /* SVCall */
    default_handler,   /* DebugMonitor */
    0,
    default_handler,   /* PendSV */
    default_handler,   /* SysTick */
};

/* Painted below the reset handler's own frame: everything from the end of .bss (not only the
 * stack's budget, so that a stack that outgrew its budget is measured too) up to a little
 * under the current SP. */
__attribute__((noinline)) static void paint_stack(void) {
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__bss_end; p < sp - 16; p++) *p = STACK_PAINT;
}

/* The deepest the stack went: bytes from its top to the lowest word no longer painted (more
 * than mcu_stack_size(): the budget was exceeded). */
uint32_t mcu_stack_high_water(void) {
    const uint32_t *p = &__bss_end;
    while (p < &__stack_top && *p == STACK_PAINT) p++;
    return (uint32_t)((uintptr_t)&__stack_top - (uintptr_t)p);
}

uint32_t mcu_stack_size(void) { return (uint32_t)((uintptr_t)&__stack_top - (uintptr_t)&__stack_bottom); }

void reset_handler(void) {
    uint32_t *src = &__data_load, *dst = &__data_start;
    while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end; dst++) *dst = 0;
    paint_stack();
    sh_exit(main());
}

static void put_hex32(uint32_t v) {
    char buf[11] = "0x00000000";
    for (int i = 0; i < 8; i++) buf[9 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
    sh_write0(buf);
}

/* The fault's stacked frame (r0-r3, r12, lr, pc, xpsr) and the fault status registers. */
__attribute__((used)) static void fault_report(const uint32_t *frame) {
    sh_write0("firmware: hard fault (a stack overflow past the RAM budget, or a bug): pc ");
    put_hex32(frame[6]);
    sh_write0(" lr ");
    put_hex32(frame[5]);
    sh_write0(" cfsr ");
    put_hex32(*(volatile uint32_t *)0xE000ED28u);
    sh_write0(" hfsr ");
    put_hex32(*(volatile uint32_t *)0xE000ED2Cu);
    sh_write0(" bfar ");
    put_hex32(*(volatile uint32_t *)0xE000ED38u);
    sh_write0("\nfirmware: stack above the fault:");
    for (int i = 8; i < 72 && frame + i < &__stack_top; i++) {
        if ((frame[i] & 1) && frame[i] < 0x00080000u) { sh_write0(" "); put_hex32(frame[i]); }
    }
    sh_write0("\n");
    sh_exit(3);
}

__attribute__((naked)) static void fault_handler(void) {
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "b fault_report\n");
}
