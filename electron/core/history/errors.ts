/** A refusal from the history, with the name the UI shows (AWS's where one fits). */
export class HistoryError extends Error {
  constructor(
    readonly errorName: 'ResourceNotFoundException' | 'InvalidRequestException',
    message: string
  ) {
    super(message)
    this.name = errorName
  }
}
