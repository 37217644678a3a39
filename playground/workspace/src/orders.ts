// The application still reads the old column: the contract step warns about it.
export function paymentStatus(row: { old_payment_status: string }): string {
  return row.old_payment_status;
}
