/** An optional Date from AWS as the ISO text both transports carry. */
export const isoDate = (date: Date | undefined): string | undefined => (date ? date.toISOString() : undefined)
