// Seed 001's thermostat as a model: the room's temperature drifts toward the target while heating
// or cooling and toward the ambient temperature when off; in `auto` the thermostat picks heat, cool
// or off itself. Pure: the device around it decides when time passes and what to report.

export const modeSettings = ['auto', 'heat', 'cool', 'off'] as const
export type ModeSetting = (typeof modeSettings)[number]
export type HvacMode = 'heat' | 'cool' | 'off'

export interface ThermostatReported {
  temperature: number
  target_temperature: number
  hvac_mode: HvacMode
  hvac_mode_setting: ModeSetting
}

export interface ThermostatOptions {
  temperature?: number
  target?: number
  ambient?: number
  /** °C per second while heating or cooling. */
  rate?: number
}

export const targetRange = { min: 5, max: 35 }
/** Auto starts heating or cooling this far from the target, so it does not flap around it. */
const hysteresis = 0.3
const ambientRate = 0.02

export type ApplyOutcome = { ok: true } | { ok: false; message: string }

export class Thermostat {
  private temperature: number
  private target: number
  private setting: ModeSetting = 'auto'
  private running: HvacMode = 'off'
  private readonly ambient: number
  private readonly rate: number

  constructor(options: ThermostatOptions = {}) {
    this.temperature = options.temperature ?? 20
    this.target = options.target ?? 21
    this.ambient = options.ambient ?? 18
    this.rate = options.rate ?? 0.5
    this.chooseMode()
  }

  reported(): ThermostatReported {
    return { temperature: Math.round(this.temperature * 10) / 10, target_temperature: this.target, hvac_mode: this.running, hvac_mode_setting: this.setting }
  }

  /** Applies desired `target_temperature` and `hvac_mode`; other keys are not this device's and are left alone. A bad value changes nothing. */
  apply(desired: Record<string, unknown>): ApplyOutcome {
    // null: the wish was removed from the shadow; the thermostat keeps what it has.
    const target = desired['target_temperature'] ?? undefined
    const mode = desired['hvac_mode'] ?? undefined
    if (target !== undefined && (typeof target !== 'number' || !Number.isFinite(target) || target < targetRange.min || target > targetRange.max)) {
      return { ok: false, message: `target_temperature must be a number from ${targetRange.min} to ${targetRange.max}, not ${JSON.stringify(target)}` }
    }
    if (mode !== undefined && !modeSettings.includes(mode as ModeSetting)) {
      return { ok: false, message: `hvac_mode must be one of ${modeSettings.join(', ')}, not ${JSON.stringify(mode)}` }
    }
    if (typeof target === 'number') this.target = target
    if (mode !== undefined) this.setting = mode as ModeSetting
    this.chooseMode()
    return { ok: true }
  }

  /** Lets `seconds` pass. */
  tick(seconds: number): void {
    if (this.running === 'heat') this.temperature = Math.min(this.target, this.temperature + this.rate * seconds)
    else if (this.running === 'cool') this.temperature = Math.max(this.target, this.temperature - this.rate * seconds)
    else this.temperature += Math.sign(this.ambient - this.temperature) * Math.min(Math.abs(this.ambient - this.temperature), ambientRate * seconds)
    // Within what the report shows (0.1 °C), the target is reached: no "24" reported while still heating.
    if (this.running !== 'off' && Math.abs(this.target - this.temperature) < 0.05) this.temperature = this.target
    this.chooseMode()
  }

  private chooseMode(): void {
    if (this.setting === 'off') this.running = 'off'
    else if (this.setting === 'heat') this.running = this.temperature < this.target ? 'heat' : 'off'
    else if (this.setting === 'cool') this.running = this.temperature > this.target ? 'cool' : 'off'
    else if (this.temperature < this.target - hysteresis) this.running = 'heat'
    else if (this.temperature > this.target + hysteresis) this.running = 'cool'
    else if (this.temperature === this.target) this.running = 'off'
  }
}
