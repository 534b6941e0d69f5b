import { describeConnection, type Connection, type ConnectionChoice, type EventHub, type Handlers } from '../../contract'
import { listAwsProfiles, type AwsProfile } from '../../core/aws'
import { BackendError } from './errors'

const local: Connection = { kind: 'local' }

/** The connection the UI works with; kept in the back end so every window and call agrees. */
export class ConnectionState {
  private active: ConnectionChoice = choiceFor(local)

  constructor(
    private readonly events: EventHub,
    private readonly env: NodeJS.ProcessEnv = process.env
  ) {}

  get connection(): Connection {
    return this.active.connection
  }

  handlers(): Pick<Handlers, 'connections.list' | 'connections.select'> {
    return {
      'connections.list': async () => {
        const profiles = await listAwsProfiles()
        return { active: this.active, choices: [choiceFor(local), ...profiles.map((p) => choiceFor({ kind: 'profile', profile: p.name }, p.region))] }
      },
      'connections.select': async ({ connection }) => {
        const choice = connection.kind === 'profile' ? await this.profileChoice(connection) : choiceFor(connection)
        this.active = choice
        this.events.emit('connections.changed', choice)
        return choice
      }
    }
  }

  /** A profile must exist and have a region; refused now rather than at the first call. */
  private async profileChoice(connection: Extract<Connection, { kind: 'profile' }>): Promise<ConnectionChoice> {
    const profile: AwsProfile | undefined = (await listAwsProfiles()).find((p) => p.name === connection.profile)
    if (!profile)
      throw new BackendError('ProfileNotFound', `There is no AWS profile "${connection.profile}" in ~/.aws/config or ~/.aws/credentials: add it there (aws configure --profile ${connection.profile}) or choose another`)
    const region = connection.region ?? profile.region ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION
    if (!region)
      throw new BackendError('MissingRegion', `AWS profile ${connection.profile} names no region: choose a region, or set region in ~/.aws/config`)
    return choiceFor(connection, region)
  }
}

function choiceFor(connection: Connection, region?: string): ConnectionChoice {
  switch (connection.kind) {
    case 'local':
      return { id: 'local', label: describeConnection(connection), connection }
    case 'profile':
      return { id: `profile:${connection.profile}`, label: `AWS profile ${connection.profile}`, connection, ...(region ? { region } : {}) }
    case 'endpoint':
      return { id: `endpoint:${connection.url}`, label: connection.url, connection, region: connection.region }
  }
}
