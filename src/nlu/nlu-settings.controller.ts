import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { NluSettingsDto, NluSettingsInputDto } from './nlu-settings.dto';
import { NluSettingsService } from './nlu-settings.service';

@ApiTags('nlu')
@ApiBearerAuth()
@Controller('api/v1/nlu')
export class NluSettingsController {
  constructor(private readonly settings: NluSettingsService) {}

  @Get('settings')
  @ApiOperation({ summary: 'Built-in extractors and bundled gazetteers: which run, under which entity names, and what runs now' })
  @ApiOkResponse({ type: NluSettingsDto })
  @ApiErrors(401)
  getNluSettings(@CurrentProject() project: string): Promise<NluSettingsDto> {
    return this.settings.get(project);
  }

  @Put('settings')
  @AdminOnly()
  @ApiOperation({ summary: 'Replaces the NLU entity settings (entries left out take their defaults); parsing uses them at once' })
  @ApiBody({
    type: NluSettingsInputDto,
    examples: {
      zh: {
        summary: '餐厅预订：数字记作人数，城市记作地点，关闭商品品类',
        value: { builtins: { number: { entity: '人数' } }, gazetteers: { city: { entity: '地点' }, category: { enabled: false } } },
      },
      en: {
        summary: 'Restaurant bookings: numbers as party_size, cities as location, no shop categories',
        value: { builtins: { number: { entity: 'party_size' }, quantity: { enabled: false } }, gazetteers: { city: { entity: 'location' }, category: { enabled: false } } },
      },
    },
  })
  @ApiOkResponse({ type: NluSettingsDto })
  @ApiErrors(400, 401, 403)
  putNluSettings(@CurrentProject() project: string, @Body() body: NluSettingsInputDto): Promise<NluSettingsDto> {
    return this.settings.replace(project, body);
  }
}
