// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill
// loaded first: every sandbox module imports x509 from here so the order is always right.
import 'reflect-metadata'
export * from '@peculiar/x509'
