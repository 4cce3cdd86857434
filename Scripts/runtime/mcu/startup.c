/* Minimal Cortex-M4 start-up for QEMU: the vector table, the FPU switched on, .bss zeroed,
 * semihosting opened (stdio on the host), then main. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __bss_start__, __bss_end__, __stack_top;
extern void initialise_monitor_handles(void);
extern int main(void);

void reset_handler(void) {
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;   /* CPACR: CP10 and CP11, full access */
    __asm volatile("dsb\n isb");
    for (uint32_t *p = &__bss_start__; p < &__bss_end__; p++) *p = 0;
    initialise_monitor_handles();
    exit(main());
}

static void fault_handler(void) {
    exit(3);
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack_top, (const void *)reset_handler, (const void *)fault_handler, (const void *)fault_handler,
    (const void *)fault_handler, (const void *)fault_handler, (const void *)fault_handler,
};
