import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { raiseSourceHead } from '../persistence/ledger-sql.js';
import { RecordSourceHeadCommand } from './record-source-head.command.js';

/** Gap healing counts a source's events above its newest entry up to this head as missing (see HealGapsHandler). */
@CommandHandler(RecordSourceHeadCommand)
export class RecordSourceHeadHandler implements ICommandHandler<RecordSourceHeadCommand, boolean> {
  constructor(private readonly dataSource: DataSource) {}

  execute({ head }: RecordSourceHeadCommand): Promise<boolean> {
    return raiseSourceHead((text, params) => this.dataSource.query(text, params), head);
  }
}
