import { describeConnection, type Connection, type ConnectionChoice, type EventHub, type Handlers } from '../../contract'
import { listAwsProfiles } from '../../core/aws'
import { checkConnection } from '../connectionCheck'
import { localCoreDetails } from '../localCoreCommands'
import { deviceEndpoint } from '../mqttEndpoints'
import { listSavedEndpoints, normalizedUrl, saveEndpoint, type SavedEndpoint } from '../savedEndpoints'
import type { AppSession } from '../session'
import type { NativeDialogs } from './dialogs'
import { BackendError } from './errors'

const local: Connection = { kind: 'local' }

/**
 * The connection the UI works with; kept in the back end so every window and call agrees. The UI
 * picks one of the choices offered here by id: the Local IoT Core, the AWS profiles, and the
 * endpoints a person saved after confirming their URL outside the page.
 */
export class ConnectionState {
  private active: ConnectionChoice = choiceFor(local)

  constructor(
    private readonly session: AppSession,
    private readonly events: EventHub,
    private readonly dialogs?: NativeDialogs
  ) {}

  get connection(): Connection {
    return this.active.connection
  }

  handlers(): Pick<
    Handlers,
    'connections.list' | 'connections.select' | 'connections.addEndpoint' | 'connections.dataEndpoint' | 'connections.test' | 'connections.localCore'
  > {
    return {
      'connections.list': async () => ({ active: this.active, choices: await this.choices() }),
      'connections.select': async ({ id, region }) => {
        const offered = await this.offered(id)
        const choice = region === undefined ? offered : withRegion(offered, region)
        if (choice.connection.kind === 'profile' && !choice.region)
          throw new BackendError('MissingRegion', `AWS profile ${choice.connection.profile} names no region: choose a region, or set region in ~/.aws/config`)
        this.active = choice
        this.events.emit('connections.changed', choice)
        return choice
      },
      'connections.addEndpoint': async ({ url, region, label }) => {
        const endpoint: SavedEndpoint = { url: normalizedUrl(url), region, ...(label ? { label } : {}) }
        if (!this.dialogs)
          throw new BackendError(
            'ConfirmationUnavailable',
            `The browser mode has no dialog of its own to confirm where your AWS credentials may be sent. Add the endpoint in a terminal: thingbench connections add --endpoint ${endpoint.url} --region ${region} — then reload the connections`
          )
        if (!(await this.dialogs.confirmEndpoint(endpoint.url, region))) return { cancelled: true }
        return { added: endpointChoice(await saveEndpoint(this.session.layout.settingsFile, endpoint)) }
      },
      'connections.dataEndpoint': async ({ id }) => {
        const { host, port } = await deviceEndpoint(this.session, await this.connectionOf(id))
        return { host, port }
      },
      'connections.test': async ({ id }) => ({ checks: await checkConnection(this.session, await this.connectionOf(id)) }),
      'connections.localCore': async () => localCoreDetails(await this.session.localIotCore())
    }
  }

  /** One of the choices offered, by id; the active one keeps the region chosen for it. */
  private async offered(id: string): Promise<ConnectionChoice> {
    const offered = (await this.choices()).find((choice) => choice.id === id)
    if (!offered)
      throw new BackendError('ConnectionNotFound', `There is no connection "${id}": choose one of those listed (a custom endpoint is added first, and confirmed in the app)`)
    return offered
  }

  private async connectionOf(id: string): Promise<Connection> {
    return id === this.active.id ? this.active.connection : (await this.offered(id)).connection
  }

  private async choices(): Promise<ConnectionChoice[]> {
    const [endpoints, profiles] = await Promise.all([listSavedEndpoints(this.session.layout.settingsFile), listAwsProfiles()])
    const profileChoices = await Promise.all(
      profiles.map(async (p) => {
        const connection: Connection = { kind: 'profile', profile: p.name }
        return choiceFor(connection, await this.session.profileRegion(connection))
      })
    )
    return [choiceFor(local), ...endpoints.map(endpointChoice), ...profileChoices]
  }
}

/** A region chosen for a profile; the other connections have theirs fixed. */
function withRegion(choice: ConnectionChoice, region: string): ConnectionChoice {
  if (choice.connection.kind !== 'profile')
    throw new BackendError('InvalidArguments', `connections.select: region: ${choice.label} has its own region; only an AWS profile takes one`)
  return choiceFor({ ...choice.connection, region }, region)
}

function endpointChoice(endpoint: SavedEndpoint): ConnectionChoice {
  const choice = choiceFor({ kind: 'endpoint', url: endpoint.url, region: endpoint.region })
  return endpoint.label ? { ...choice, label: endpoint.label } : choice
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
